namespace ByzantineSim.Aggregators.MudHog;

/// <summary>
/// The clustering steps of MUD-HoG's reference code (github.com/LabSAINT/MUD-HoG_Federated_Learning,
/// server.py), on a few vectors (one per client) in double: DBSCAN as scikit-learn runs it, a
/// deterministic 2-means, and the largest-gap split of a list of numbers.
/// </summary>
public static class Clustering
{
    /// <summary>
    /// DBSCAN labels (scikit-learn's semantics): a point is a core point when at least
    /// <paramref name="minSamples"/> points (itself included) lie within distance
    /// <paramref name="eps"/>; clusters grow from core points taken in index order, numbered 0, 1, ...;
    /// a border point joins the first cluster that reaches it; the rest are noise, -1.
    /// </summary>
    public static int[] Dbscan(IReadOnlyList<double[]> points, double eps, int minSamples)
    {
        int n = points.Count;
        var neighbours = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            neighbours[i] = [.. Enumerable.Range(0, n).Where(j => Distance(points[i], points[j]) <= eps)];
        }

        var labels = Enumerable.Repeat(-1, n).ToArray();
        int cluster = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != -1 || neighbours[i].Count < minSamples)
            {
                continue;
            }

            var stack = new Stack<int>([i]);
            labels[i] = cluster;
            while (stack.Count > 0)
            {
                int point = stack.Pop();
                if (neighbours[point].Count < minSamples)
                {
                    continue; // a border point: in the cluster, but it does not extend it
                }

                foreach (int next in neighbours[point].Where(next => labels[next] == -1))
                {
                    labels[next] = cluster;
                    stack.Push(next);
                }
            }

            cluster++;
        }

        return labels;
    }

    /// <summary>
    /// The positions carrying the most frequent label; a tie goes to the label that appears
    /// first (Python's max over a Counter, as the reference's find_majority_id).
    /// </summary>
    public static int[] Majority(int[] labels)
    {
        if (labels.Length == 0)
        {
            return [];
        }

        var counts = labels.CountBy(l => l).ToList(); // in order of first appearance
        int best = counts.MaxBy(c => c.Value).Key;
        return [.. Enumerable.Range(0, labels.Length).Where(i => labels[i] == best)];
    }

    /// <summary>
    /// The smaller cluster of a 2-means (Lloyd's iterations until no point moves, at most 300)
    /// started from the two points farthest apart, the lower index as cluster 0; ties in the
    /// assignment go to cluster 0. With equal sizes, cluster 1 is returned (the reference's
    /// find_minority_id). Fewer than two points: none.
    /// </summary>
    public static int[] TwoMeansMinority(IReadOnlyList<double[]> points) =>
        points.Count < 2 ? [] : TwoMeansMinority(points, new double[points[0].Length], new double[points[0].Length]);

    /// <summary>
    /// <see cref="TwoMeansMinority(IReadOnlyList{double[]})"/> with the two centres kept in
    /// <paramref name="first"/> and <paramref name="second"/> (the points' length, any contents).
    /// </summary>
    public static int[] TwoMeansMinority(IReadOnlyList<double[]> points, double[] first, double[] second)
    {
        int n = points.Count;
        if (n < 2)
        {
            return [];
        }

        (int a, int b, double far) = (0, 1, -1.0);
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double distance = Distance(points[i], points[j]);
                if (distance > far)
                {
                    (a, b, far) = (i, j, distance);
                }
            }
        }

        points[a].CopyTo(first, 0);
        points[b].CopyTo(second, 0);
        var centres = new[] { first, second };
        var labels = new int[n];
        for (int iteration = 0; iteration < 300; iteration++)
        {
            bool moved = iteration == 0;
            for (int i = 0; i < n; i++)
            {
                int label = Distance(points[i], centres[1]) < Distance(points[i], centres[0]) ? 1 : 0;
                moved |= label != labels[i];
                labels[i] = label;
            }

            if (!moved)
            {
                break;
            }

            for (int c = 0; c < 2; c++)
            {
                var members = Enumerable.Range(0, n).Where(i => labels[i] == c).ToList();
                if (members.Count > 0)
                {
                    Mean(points, members, centres[c]);
                }
            }
        }

        int ones = labels.Count(l => l == 1);
        int minority = ones > n - ones ? 0 : 1;
        return [.. Enumerable.Range(0, n).Where(i => labels[i] == minority)];
    }

    /// <summary>
    /// The midpoint of the largest gap between consecutive sorted values (the first such gap),
    /// 0 for fewer than two values or no gap: the reference's find_separate_point.
    /// </summary>
    public static double SeparatePoint(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        double point = 0;
        double gap = 0;
        for (int i = 0; i + 1 < sorted.Length; i++)
        {
            if (sorted[i + 1] - sorted[i] > gap)
            {
                gap = sorted[i + 1] - sorted[i];
                point = sorted[i] + (gap / 2);
            }
        }

        return point;
    }

    /// <summary>The Euclidean distance.</summary>
    public static double Distance(double[] a, double[] b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double difference = a[k] - b[k];
            sum += difference * difference;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>Cosine similarity, NaN when either vector is zero.</summary>
    public static double Cosine(double[] a, double[] b)
    {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.Length; k++)
        {
            dot += a[k] * b[k];
            na += a[k] * a[k];
            nb += b[k] * b[k];
        }

        return dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }

    /// <summary>The coordinate-wise median (mean of the two middle values for an even count), as numpy.median.</summary>
    public static double[] Median(IReadOnlyList<double[]> points) => Median(points, new double[points.Count == 0 ? 0 : points[0].Length]);

    /// <summary>The coordinate-wise median written into <paramref name="result"/> (the points' length), which is returned.</summary>
    public static double[] Median(IReadOnlyList<double[]> points, double[] result)
    {
        int d = result.Length;
        var column = new double[points.Count];
        for (int k = 0; k < d; k++)
        {
            for (int i = 0; i < points.Count; i++)
            {
                column[i] = points[i][k];
            }

            Array.Sort(column);
            int m = column.Length / 2;
            result[k] = column.Length % 2 == 1 ? column[m] : (column[m - 1] + column[m]) / 2;
        }

        return result;
    }

    private static void Mean(IReadOnlyList<double[]> points, List<int> members, double[] mean)
    {
        Array.Clear(mean);
        foreach (int i in members)
        {
            for (int k = 0; k < mean.Length; k++)
            {
                mean[k] += points[i][k] / members.Count;
            }
        }
    }
}
