using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Caf;

/// <summary>
/// Covariance-bound agnostic filter, CAF (Allouah, Guerraoui, Stephan, "Towards Trustworthy
/// Federated Learning with Untrusted Participants", ICML 2025, arXiv 2505.01874), in ByzFL's form:
/// weights c_i = 1; while sum_i c_i &gt; n - 2f: mu_c = sum_i c_i x_i / sum_i c_i, Sigma_c =
/// sum_i c_i (x_i - mu_c)(x_i - mu_c)^T / sum_i c_i with largest eigenvalue lambda and unit
/// eigenvector v; tau_i = ((x_i - mu_c) . v)^2; c_i &lt;- c_i (1 - tau_i / max_j tau_j). The
/// output is the mu_c of the smallest lambda seen (with f = 0 no iteration runs: the mean).
/// Exact: Sigma_c has the non-zero eigenvalues of the n x n matrix S K S, K the Gram matrix of
/// the rows centred at mu_c and S = diag(sqrt(c_i / sum c)), whose top eigenvector u gives
/// v = (sum_j s_j u_j (x_j - mu_c)) / sqrt(lambda) and so every tau_i from K alone; a full
/// symmetric eigen-solve finds (lambda, u), deterministic and exact even when the top two
/// eigenvalues nearly tie (ByzFL takes one power-iteration step from a random vector).
/// A row with a NaN, an infinity or an overflowing norm starts at weight zero and is left out of
/// max_j tau_j (its tau would be infinite and stop the filter); with at most f such rows the
/// output is finite. If lambda reaches zero (the weighted rows coincide) the filter stops there.
/// </summary>
public static class Caf
{
    /// <summary>destination = CAF's aggregate of the rows of <paramref name="inputs"/>.</summary>
    public static void Aggregate(RowMatrix inputs, int f, CafOptions options, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        int n = inputs.Rows;
        if (f == 0)
        {
            Rows.Mean(inputs, Rows.AllRows(n), destination);
            return;
        }

        var gram = new double[n * n];
        CentredGram.Compute(inputs, gram);
        var usable = Enumerable.Range(0, n).Where(i => CentredGram.IsFinite(gram, n, i)).ToArray();
        if (usable.Length == 0)
        {
            Rows.Mean(inputs, Rows.AllRows(n), destination);
            return;
        }

        var weights = new double[n];
        foreach (int i in usable)
        {
            weights[i] = 1;
        }

        var best = Filter(gram, n, f, usable, weights, options);
        var kept = Enumerable.Range(0, n).Where(i => best[i] > 0).ToArray();
        double total = kept.Sum(i => best[i]);
        Rows.WeightedSum(inputs, kept, [.. kept.Select(i => (float)(best[i] / total))], 1f, destination);
    }

    /// <summary>Runs the filter on the Gram matrix and returns the weights of the smallest largest eigenvalue seen.</summary>
    private static double[] Filter(double[] gram, int n, int f, int[] usable, double[] weights, CafOptions options)
    {
        var best = (double[])weights.Clone();
        double bestValue = double.PositiveInfinity;
        int m = usable.Length;
        var centred = new double[m * m];
        var projections = new double[m];
        var rowMeans = new double[m];
        double total = weights.Sum();
        for (int iteration = 0; total > n - (2 * f) && iteration < options.MaxIterations; iteration++)
        {
            // K_ab = (x_a - mu) . (x_b - mu) over the usable rows, mu the weighted mean.
            double centre = 0;
            for (int a = 0; a < m; a++)
            {
                double sum = 0;
                for (int b = 0; b < m; b++)
                {
                    double w = weights[usable[b]];
                    if (w > 0)
                    {
                        sum += w * gram[(usable[a] * n) + usable[b]];
                    }
                }

                rowMeans[a] = sum / total;
                centre += weights[usable[a]] * rowMeans[a];
            }

            centre /= total;
            for (int a = 0; a < m; a++)
            {
                for (int b = 0; b < m; b++)
                {
                    centred[(a * m) + b] = gram[(usable[a] * n) + usable[b]] - rowMeans[a] - rowMeans[b] + centre;
                }
            }

            // The weighted covariance's top eigenpair, through S K S on the rows that have weight.
            var active = Enumerable.Range(0, m).Where(a => weights[usable[a]] > 0).ToArray();
            int p = active.Length;
            var scaled = new double[p * p];
            var scale = active.Select(a => Math.Sqrt(weights[usable[a]] / total)).ToArray();
            for (int a = 0; a < p; a++)
            {
                for (int b = 0; b < p; b++)
                {
                    scaled[(a * p) + b] = scale[a] * centred[(active[a] * m) + active[b]] * scale[b];
                }
            }

            var top = new double[p];
            double value = CentredGram.LargestEigen(scaled, p, top);
            if (value < bestValue)
            {
                bestValue = value;
                weights.CopyTo(best, 0);
            }

            if (!(value > 0))
            {
                break;
            }

            // tau_i = ((x_i - mu) . v)^2 with v = sum_b s_b u_b (x_b - mu) / sqrt(lambda).
            double largest = 0;
            for (int a = 0; a < m; a++)
            {
                double dot = 0;
                for (int b = 0; b < p; b++)
                {
                    dot += centred[(a * m) + active[b]] * scale[b] * top[b];
                }

                projections[a] = dot * dot / value;
                if (!options.WeightedMaximum || weights[usable[a]] > 0)
                {
                    largest = Math.Max(largest, projections[a]);
                }
            }

            if (!(largest > 0))
            {
                break;
            }

            for (int a = 0; a < m; a++)
            {
                weights[usable[a]] *= Math.Max(0, 1 - (projections[a] / largest));
            }

            total = weights.Sum();
        }

        return best;
    }
}
