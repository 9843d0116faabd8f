using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.GeometricMedian;

/// <summary>
/// Geometric median by smoothed Weiszfeld iterations, as in RFA (Pillutla, Kakade, Harchaoui,
/// 2019, arXiv 1912.13445): beta_i = 1 / max(nu, ||x_i - z||), z &lt;- sum_i beta_i x_i / sum_i beta_i,
/// from z_0 = 0 or the mean. The exact geometric median is (f, kappa)-robust with
/// kappa = 4 (1 + f / (n - 2f))^2 (Allouah et al., AISTATS 2023, arXiv 2302.01772).
/// </summary>
/// <remarks>
/// Every iterate is a combination z = sum_j c_j x_j, so with the Gram matrix G = X X^T the
/// distances are ||x_i - z||^2 = G_ii - 2 (G c)_i + c^T G c: the iterations cost O(n^2) each and
/// the data are read twice in all (one Gram pass, one pass to form z), whatever T is. A non-finite
/// row is infinitely far and gets weight 0. The price is float rounding of order 1e-7 ||x||^2 in
/// the squared distances, far below nu^2 for gradients of ordinary size.
/// </remarks>
public static class GeometricMedian
{
    /// <summary>Runs the iterations and writes z into <paramref name="destination"/>; returns the iterations done.</summary>
    public static int Aggregate(RowMatrix inputs, GeometricMedianOptions options, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        int n = inputs.Rows;
        var gram = new double[n * n];
        Gram.Compute(inputs, gram);
        var coefficients = Solve(gram, n, options, out int iterations);

        var rows = new List<int>(n);
        var weights = new List<float>(n);
        for (int i = 0; i < n; i++)
        {
            if (coefficients[i] != 0)
            {
                rows.Add(i);
                weights.Add((float)coefficients[i]);
            }
        }

        if (rows.Count == 0)
        {
            destination.Clear();
        }
        else
        {
            Rows.WeightedSum(inputs, [.. rows], [.. weights], 1f, destination);
        }

        return iterations;
    }

    /// <summary>The Weiszfeld iterations on the coefficients c of z = sum_j c_j x_j, given the Gram matrix.</summary>
    public static double[] Solve(ReadOnlySpan<double> gram, int n, GeometricMedianOptions options, out int iterations)
    {
        var finite = new bool[n];
        int finiteCount = 0;
        for (int i = 0; i < n; i++)
        {
            finite[i] = double.IsFinite(gram[(i * n) + i]);
            finiteCount += finite[i] ? 1 : 0;
        }

        var c = new double[n];
        if (options.StartFromMean && finiteCount > 0)
        {
            for (int i = 0; i < n; i++)
            {
                c[i] = finite[i] ? 1.0 / finiteCount : 0;
            }
        }

        var gc = new double[n];
        var next = new double[n];
        iterations = 0;
        if (finiteCount == 0)
        {
            return c;
        }

        for (int t = 0; t < options.Iterations; t++)
        {
            double cgc = Multiply(gram, n, finite, c, gc);
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                if (!finite[i])
                {
                    next[i] = 0;
                    continue;
                }

                double distance = Math.Sqrt(Math.Max(0, gram[(i * n) + i] - (2 * gc[i]) + cgc));
                next[i] = 1.0 / Math.Max(options.Nu, distance);
                total += next[i];
            }

            for (int i = 0; i < n; i++)
            {
                next[i] /= total;
            }

            iterations = t + 1;
            double moved = 0;
            if (options.Tolerance > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    c[i] = next[i] - c[i];
                }

                moved = Math.Sqrt(Math.Max(0, Multiply(gram, n, finite, c, gc)));
            }

            (c, next) = (next, c);
            if (options.Tolerance > 0 && moved <= options.Tolerance)
            {
                break;
            }
        }

        return c;
    }

    /// <summary>gc = G c over the finite rows; returns c^T G c.</summary>
    private static double Multiply(ReadOnlySpan<double> gram, int n, bool[] finite, double[] c, double[] gc)
    {
        double quadratic = 0;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            if (finite[i])
            {
                for (int j = 0; j < n; j++)
                {
                    if (finite[j] && c[j] != 0)
                    {
                        sum += gram[(i * n) + j] * c[j];
                    }
                }
            }

            gc[i] = sum;
            quadratic += c[i] * sum;
        }

        return quadratic;
    }
}
