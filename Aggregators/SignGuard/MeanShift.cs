namespace ByzantineSim.Aggregators.SignGuard;

/// <summary>
/// Mean shift with a flat kernel and binned seeds, as scikit-learn's <c>MeanShift(bandwidth,
/// bin_seeding=True, cluster_all=False)</c> runs it, with the bandwidth of
/// <c>estimate_bandwidth(quantile)</c>: deterministic and independent of the order of the points.
/// </summary>
/// <remarks>
/// scikit-learn's estimate draws at most 50 points at random for the bandwidth; we use every
/// point. A zero bandwidth (more than half the points coincide) groups equal points, the limit of
/// a vanishing bandwidth, where scikit-learn refuses.
/// </remarks>
public static class MeanShift
{
    private const int MaxIterations = 300;

    /// <summary>
    /// The mean over the points of the distance to their k-th nearest point, itself included as
    /// the first, k = max(1, floor(m quantile)) (scikit-learn's <c>estimate_bandwidth</c>).
    /// </summary>
    public static double Bandwidth(double[][] points, double quantile)
    {
        int m = points.Length;
        int k = Math.Max(1, (int)(m * quantile));
        double sum = 0;
        var distances = new double[m];
        foreach (var point in points)
        {
            for (int j = 0; j < m; j++)
            {
                distances[j] = Distance(point, points[j]);
            }

            Array.Sort(distances);
            sum += distances[k - 1];
        }

        return sum / m;
    }

    /// <summary>
    /// Each point's cluster: 0 for the most populated centre, 1 for the next, ..., or -1 for a point
    /// farther than the bandwidth from every centre.
    /// </summary>
    public static int[] Labels(double[][] points, double bandwidth)
    {
        int m = points.Length;
        if (!(bandwidth > 0))
        {
            return EqualGroups(points);
        }

        // Seeds: the occupied cells of a grid of pitch bandwidth (round half to even, as numpy);
        // when every point has a cell of its own, the points themselves.
        var cells = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var point in points)
        {
            var cell = point.Select(v => Math.Round(v / bandwidth, MidpointRounding.ToEven)).ToArray();
            cells.TryAdd(string.Join(",", cell.Select(c => c.ToString("R", System.Globalization.CultureInfo.InvariantCulture))), cell);
        }

        var seeds = cells.Count == m ? points : [.. cells.Values.Select(cell => cell.Select(c => c * bandwidth).ToArray())];
        var centres = new List<(double[] Centre, int Intensity)>();
        foreach (var seed in seeds)
        {
            var (centre, intensity) = Climb(points, seed, bandwidth);
            if (intensity > 0 && !centres.Any(c => c.Centre.SequenceEqual(centre)))
            {
                centres.Add((centre, intensity));
            }
        }

        // Most populated first (ties: the larger centre, comparing coordinates in order), then
        // every centre within the bandwidth of a kept one is dropped.
        centres.Sort((a, b) => a.Intensity != b.Intensity ? b.Intensity.CompareTo(a.Intensity) : Compare(b.Centre, a.Centre));
        var kept = new List<double[]>();
        foreach (var (centre, _) in centres)
        {
            if (!kept.Any(c => Distance(c, centre) <= bandwidth))
            {
                kept.Add(centre);
            }
        }

        var labels = new int[m];
        for (int i = 0; i < m; i++)
        {
            int nearest = 0;
            for (int c = 1; c < kept.Count; c++)
            {
                if (Distance(points[i], kept[c]) < Distance(points[i], kept[nearest]))
                {
                    nearest = c;
                }
            }

            labels[i] = Distance(points[i], kept[nearest]) <= bandwidth ? nearest : -1;
        }

        return labels;
    }

    /// <summary>The label (0, 1, ...) with the most points, the lowest on ties; -1 when every point is unlabelled.</summary>
    public static int Largest(ReadOnlySpan<int> labels)
    {
        int best = -1, bestCount = 0;
        int top = 0;
        foreach (int label in labels)
        {
            top = Math.Max(top, label);
        }

        for (int label = 0; label <= top; label++)
        {
            int count = 0;
            foreach (int l in labels)
            {
                count += l == label ? 1 : 0;
            }

            if (count > bestCount)
            {
                (best, bestCount) = (label, count);
            }
        }

        return best;
    }

    /// <summary>Moves a seed to the mean of the points within the bandwidth until it moves at most 1e-3 bandwidth.</summary>
    private static (double[] Centre, int Intensity) Climb(double[][] points, double[] seed, double bandwidth)
    {
        var mean = seed;
        int within = 0;
        for (int iteration = 0; ; iteration++)
        {
            var inside = points.Where(p => Distance(p, mean) <= bandwidth).ToList();
            within = inside.Count;
            if (within == 0)
            {
                return (mean, 0);
            }

            var previous = mean;
            mean = [.. Enumerable.Range(0, seed.Length).Select(k => inside.Sum(p => p[k]) / within)];
            if (Distance(mean, previous) <= 1e-3 * bandwidth || iteration == MaxIterations)
            {
                return (mean, within);
            }
        }
    }

    /// <summary>Groups of equal points, labelled by decreasing size (ties: the larger point first).</summary>
    private static int[] EqualGroups(double[][] points)
    {
        var groups = points.Distinct(new PointComparer())
            .Select(p => (Point: p, Count: points.Count(q => q.SequenceEqual(p))))
            .OrderByDescending(g => g.Count).ThenByDescending(g => g.Point, Comparer<double[]>.Create(Compare))
            .Select(g => g.Point).ToList();
        return [.. points.Select(p => groups.FindIndex(g => g.SequenceEqual(p)))];
    }

    private static int Compare(double[] a, double[] b)
    {
        for (int k = 0; k < a.Length; k++)
        {
            int c = a[k].CompareTo(b[k]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static double Distance(double[] a, double[] b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            sum += (a[k] - b[k]) * (a[k] - b[k]);
        }

        return Math.Sqrt(sum);
    }

    private sealed class PointComparer : IEqualityComparer<double[]>
    {
        public bool Equals(double[]? x, double[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(double[] obj) => obj.Aggregate(17, (h, v) => (h * 31) + v.GetHashCode());
    }
}
