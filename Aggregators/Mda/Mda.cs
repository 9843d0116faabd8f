namespace ByzantineSim.Aggregators.Mda;

/// <summary>
/// Minimum-diameter averaging, MDA (El Mhamdi, Guerraoui, Rouault, "Distributed momentum for
/// Byzantine-resilient stochastic gradient descent", ICLR 2021, arXiv 2003.00010): the mean of the (n - f)-subset
/// whose largest pairwise distance is smallest. Exact: a depth-first search over subsets with
/// branch-and-bound pruning (a partial subset whose diameter already reaches the best complete
/// one is abandoned), started from a greedy solution (each input with its n - f - 1 nearest
/// neighbours) so that the bound is tight from the first node. Non-finite inputs are infinitely
/// far from everything, so with at most f of them the chosen subset is finite.
/// Ties are common (two subsets whose diameter is set by the same pair) and would make the output
/// depend on the order of the inputs; diameters within a relative 1e-9 count as tied, and among
/// tied subsets the one with the smallest sum of pairwise squared distances wins, which is a
/// property of the rows, not of their order.
/// </summary>
public static class Mda
{
    /// <summary>C(n, k) as a double (+Infinity past the double range).</summary>
    public static double Subsets(int n, int k)
    {
        k = Math.Min(k, n - k);
        double count = 1;
        for (int i = 1; i <= k; i++)
        {
            count = count * (n - k + i) / i;
        }

        return Math.Round(count);
    }

    /// <summary>Relative difference under which two diameters (or spreads) count as equal.</summary>
    private const double TieTolerance = 1e-9;

    /// <summary>
    /// Writes into <paramref name="subset"/> (length n - f, increasing) the minimum-diameter subset;
    /// among tied diameters, the one with the smallest sum of pairwise squared distances.
    /// </summary>
    public static void Select(RowMatrix inputs, int f, Span<int> subset)
    {
        int n = inputs.Rows;
        int k = n - f;
        var distances = new double[n * n];
        Krum.Krum.PairwiseSquaredDistances(inputs, distances);

        // Greedy start: the best "input plus its k - 1 nearest neighbours" ball.
        var best = new int[k];
        double bestDiameter = double.NaN, bestSpread = double.NaN;
        var candidate = new int[k];
        for (int i = 0; i < n; i++)
        {
            Rows.Smallest(distances.AsSpan(i * n, n), k, candidate);
            double diameter = Diameter(distances, n, candidate);
            double spread = Spread(distances, n, candidate);
            if (i == 0 || Better(diameter, spread, bestDiameter, bestSpread))
            {
                bestDiameter = diameter;
                bestSpread = spread;
                candidate.CopyTo(best, 0);
            }
        }

        var search = new Search(distances, n, k, bestDiameter, bestSpread, best);
        search.Run();
        Array.Sort(search.Best);
        search.Best.CopyTo(subset);
    }

    /// <summary>destination = mean of the minimum-diameter (n - f)-subset.</summary>
    public static void Aggregate(RowMatrix inputs, int f, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        var subset = new int[inputs.Rows - f];
        Select(inputs, f, subset);
        Rows.Mean(inputs, subset, destination);
    }

    /// <summary>A clearly smaller diameter wins; between tied diameters, a clearly smaller spread.</summary>
    private static bool Better(double diameter, double spread, double bestDiameter, double bestSpread) =>
        Below(diameter, bestDiameter) || (!Below(bestDiameter, diameter) && Below(spread, bestSpread));

    /// <summary><paramref name="a"/> is smaller than <paramref name="b"/> by more than the tie tolerance.</summary>
    private static bool Below(double a, double b) =>
        double.IsFinite(b) ? a < b - (TieTolerance * Math.Abs(b)) : a < b;

    /// <summary>Sum of the pairwise squared distances of the members (+Infinity with a non-finite one).</summary>
    private static double Spread(double[] distances, int n, ReadOnlySpan<int> members)
    {
        double spread = 0;
        for (int a = 0; a < members.Length; a++)
        {
            for (int b = a + 1; b < members.Length; b++)
            {
                double value = distances[(members[a] * n) + members[b]];
                spread += double.IsNaN(value) ? double.PositiveInfinity : value;
            }
        }

        return spread;
    }

    private static double Diameter(double[] distances, int n, ReadOnlySpan<int> members)
    {
        double diameter = 0;
        for (int a = 0; a < members.Length; a++)
        {
            for (int b = a + 1; b < members.Length; b++)
            {
                double value = distances[(members[a] * n) + members[b]];
                diameter = double.IsNaN(value) ? double.PositiveInfinity : Math.Max(diameter, value);
            }
        }

        return diameter;
    }

    /// <summary>Depth-first branch and bound over include/exclude decisions, inputs in index order.</summary>
    private sealed class Search(double[] distances, int n, int k, double bound, double boundSpread, int[] best)
    {
        private readonly int[] _chosen = new int[k];

        public int[] Best { get; } = best;

        public void Run() => Visit(0, 0, 0);

        private void Visit(int next, int count, double diameter)
        {
            if (count == k)
            {
                double spread = Spread(distances, n, _chosen);
                if (Better(diameter, spread, bound, boundSpread))
                {
                    bound = Math.Min(bound, diameter);
                    boundSpread = spread;
                    _chosen.CopyTo(Best, 0);
                }

                return;
            }

            // Not enough inputs left to complete the subset.
            if (n - next < k - count)
            {
                return;
            }

            // Include `next` unless that makes the diameter clearly worse than the best (a tied
            // diameter stays: the spread may still decide for it).
            double widened = diameter;
            for (int a = 0; a < count && !Below(bound, widened); a++)
            {
                double value = distances[(_chosen[a] * n) + next];
                widened = double.IsNaN(value) ? double.PositiveInfinity : Math.Max(widened, value);
            }

            if (!Below(bound, widened) && double.IsFinite(widened))
            {
                _chosen[count] = next;
                Visit(next + 1, count + 1, widened);
            }

            // Exclude `next`.
            Visit(next + 1, count, diameter);
        }
    }
}
