using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Smea;

/// <summary>
/// Smallest maximum eigenvalue averaging, SMEA (Allouah, Guerraoui, Gupta, Pinot, Stephan, "On the
/// Privacy-Robustness-Utility Trilemma in Distributed Learning", ICML 2023, arXiv 2302.04787): the
/// mean of the (n - f)-subset S whose empirical covariance (1/|S|) sum_{i in S} (x_i - xbar_S)(x_i - xbar_S)^T
/// has the smallest largest eigenvalue. Exact: that eigenvalue equals the largest eigenvalue of the
/// subset's centred Gram matrix, |S| x |S|, divided by |S|, computed from the n x n Gram matrix of
/// the inputs (<see cref="CentredGram"/>) by a full symmetric eigen-solve; the subsets are searched
/// depth first with branch and bound, like <see cref="Mda.Mda"/>: the scatter matrix of a partial
/// subset only grows as rows join, so a partial subset whose largest scatter eigenvalue already
/// exceeds the best complete one is abandoned (cheap bounds first: the largest diagonal entry
/// from below, the trace from above). The search starts from the best "input plus its n - f - 1
/// nearest neighbours" subset. Eigenvalues within a relative 1e-9 count as tied; among tied
/// subsets the one with the smallest total variance (trace) wins; a tie on both (duplicated rows,
/// symmetric configurations) keeps the subset found first (the greedy start, then index order).
/// A row with a NaN, an infinity or an overflowing norm is never chosen, so with at most f of them
/// the output is finite. ByzFL's <c>SMEA</c> estimates each eigenvalue with one power-iteration
/// step from a random vector; this one is exact and deterministic.
/// </summary>
public static class Smea
{
    /// <summary>Relative difference under which two eigenvalues (or traces) count as equal.</summary>
    private const double TieTolerance = 1e-9;

    /// <summary>
    /// Writes into <paramref name="subset"/> (length n - f, increasing) the subset whose covariance
    /// has the smallest largest eigenvalue.
    /// </summary>
    public static void Select(RowMatrix inputs, int f, Span<int> subset)
    {
        int n = inputs.Rows;
        int k = n - f;
        if (f == 0)
        {
            for (int i = 0; i < n; i++)
            {
                subset[i] = i;
            }

            return;
        }

        var gram = new double[n * n];
        CentredGram.Compute(inputs, gram);
        var usable = Enumerable.Range(0, n).Where(i => CentredGram.IsFinite(gram, n, i)).ToArray();
        if (usable.Length < k)
        {
            // More than f unusable rows: no finite choice exists; take the usable ones and fill up in index order.
            var fill = usable.Concat(Enumerable.Range(0, n).Except(usable)).Take(k).Order().ToArray();
            fill.CopyTo(subset);
            return;
        }

        var search = new Search(gram, n, k, usable);
        search.Start();
        search.Run();
        var best = search.Best;
        Array.Sort(best);
        best.CopyTo(subset);
    }

    /// <summary>destination = mean of the (n - f)-subset whose covariance has the smallest largest eigenvalue.</summary>
    public static void Aggregate(RowMatrix inputs, int f, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        var subset = new int[inputs.Rows - f];
        Select(inputs, f, subset);
        Rows.Mean(inputs, subset, destination);
    }

    /// <summary><paramref name="a"/> is smaller than <paramref name="b"/> by more than the tie tolerance.</summary>
    private static bool Below(double a, double b) =>
        double.IsFinite(b) ? a < b - (TieTolerance * Math.Abs(b)) : a < b;

    /// <summary>A clearly smaller eigenvalue wins; between tied eigenvalues, a clearly smaller trace.</summary>
    private static bool Better(double value, double trace, double bestValue, double bestTrace) =>
        Below(value, bestValue) || (!Below(bestValue, value) && Below(trace, bestTrace));

    /// <summary>Depth-first branch and bound over include/exclude decisions, usable rows in index order.</summary>
    private sealed class Search(double[] gram, int n, int k, int[] usable)
    {
        private readonly int[] _chosen = new int[k];
        private readonly double[] _centred = new double[k * k];
        private readonly double[] _vector = new double[k];
        private double _bound = double.PositiveInfinity;
        private double _boundTrace = double.PositiveInfinity;

        public int[] Best { get; } = new int[k];

        /// <summary>The greedy start: each usable row with its k - 1 nearest usable rows.</summary>
        public void Start()
        {
            var distances = new double[usable.Length];
            var nearest = new int[k];
            foreach (int i in usable)
            {
                for (int b = 0; b < usable.Length; b++)
                {
                    int j = usable[b];
                    distances[b] = gram[(i * n) + i] + gram[(j * n) + j] - (2 * gram[(i * n) + j]);
                }

                Rows.Smallest(distances, k, nearest);
                for (int a = 0; a < k; a++)
                {
                    _chosen[a] = usable[nearest[a]];
                }

                Array.Sort(_chosen);
                var (value, trace) = Scatter(k, exact: true, double.PositiveInfinity);
                if (Better(value, trace, _bound, _boundTrace))
                {
                    _bound = value;
                    _boundTrace = trace;
                    _chosen.CopyTo(Best, 0);
                }
            }
        }

        public void Run() => Visit(0, 0);

        private void Visit(int next, int count)
        {
            if (count == k)
            {
                var (value, trace) = Scatter(k, exact: true, double.PositiveInfinity);
                if (Better(value, trace, _bound, _boundTrace))
                {
                    _bound = value;
                    _boundTrace = trace;
                    _chosen.CopyTo(Best, 0);
                }

                return;
            }

            if (usable.Length - next < k - count)
            {
                return;
            }

            // Include usable[next] unless the partial scatter already clearly exceeds the best
            // complete one (a tie stays: the trace may still decide for it).
            _chosen[count] = usable[next];
            double threshold = _bound + (TieTolerance * Math.Abs(_bound));
            if (count + 1 == k || Scatter(count + 1, exact: false, threshold).Value <= threshold)
            {
                Visit(next + 1, count + 1);
            }

            Visit(next + 1, count);
        }

        /// <summary>
        /// The largest eigenvalue and the trace of the scatter matrix of the first
        /// <paramref name="count"/> chosen rows (their centred Gram matrix). When not
        /// <paramref name="exact"/>, the eigen-solve is skipped once a bound decides against
        /// <paramref name="threshold"/>: the largest diagonal entry from below, the trace from above.
        /// </summary>
        private (double Value, double Trace) Scatter(int count, bool exact, double threshold)
        {
            if (count == 1)
            {
                return (0, 0);
            }

            var centred = _centred.AsSpan(0, count * count);
            double total = 0;
            Span<double> rowMeans = stackalloc double[count];
            for (int a = 0; a < count; a++)
            {
                double sum = 0;
                for (int b = 0; b < count; b++)
                {
                    sum += gram[(_chosen[a] * n) + _chosen[b]];
                }

                rowMeans[a] = sum / count;
                total += rowMeans[a];
            }

            total /= count;
            double trace = 0, largestDiagonal = 0;
            for (int a = 0; a < count; a++)
            {
                for (int b = 0; b < count; b++)
                {
                    centred[(a * count) + b] = gram[(_chosen[a] * n) + _chosen[b]] - rowMeans[a] - rowMeans[b] + total;
                }

                double diagonal = centred[(a * count) + a];
                trace += diagonal;
                largestDiagonal = Math.Max(largestDiagonal, diagonal);
            }

            if (!exact && (largestDiagonal > threshold || trace <= threshold))
            {
                return (largestDiagonal > threshold ? largestDiagonal : trace, trace);
            }

            return (CentredGram.LargestEigen(centred, count, _vector), trace);
        }
    }
}
