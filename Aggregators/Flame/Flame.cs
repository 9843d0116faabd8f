using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Flame;

/// <summary>
/// FLAME (Nguyen et al., "FLAME: Taming Backdoors in Federated Learning", USENIX Security 2022,
/// arXiv 2101.02281): admit the rows of HDBSCAN's majority cluster on cosine
/// distances (min_cluster_size = n/2 + 1, min_samples = 1, a single cluster allowed), clip each to
/// the median norm S_t, average them and add N(0, (lambda S_t)^2) to every coordinate.
/// </summary>
/// <remarks>
/// With min_cluster_size above n/2 HDBSCAN's condensed tree never splits: the one cluster is the
/// root, and its label goes to the points still in it when it dies (the largest lambda). That set
/// is computed directly: add the mutual-reachability edges (min_samples = 1: max of the two
/// nearest-neighbour distances and the distance) by increasing weight until a component holds
/// min_cluster_size rows, then add every edge of that same weight; the component is the cluster.
/// </remarks>
public static class Flame
{
    /// <summary>
    /// Which of the m points (pairwise distances m x m) form HDBSCAN's majority cluster; all false
    /// when m &lt; <paramref name="minClusterSize"/>.
    /// </summary>
    public static bool[] MajorityCluster(ReadOnlySpan<double> distances, int m, int minClusterSize)
    {
        var member = new bool[m];
        if (m < minClusterSize || m == 0)
        {
            return member;
        }

        if (m == 1)
        {
            member[0] = true;
            return member;
        }

        var core = new double[m];
        for (int i = 0; i < m; i++)
        {
            core[i] = double.PositiveInfinity;
            for (int j = 0; j < m; j++)
            {
                if (j != i)
                {
                    core[i] = Math.Min(core[i], distances[(i * m) + j]);
                }
            }
        }

        var edges = new List<(double Weight, int I, int J)>(m * (m - 1) / 2);
        for (int i = 0; i < m; i++)
        {
            for (int j = i + 1; j < m; j++)
            {
                edges.Add((Math.Max(distances[(i * m) + j], Math.Max(core[i], core[j])), i, j));
            }
        }

        edges.Sort();
        var parent = Enumerable.Range(0, m).ToArray();
        var size = Enumerable.Repeat(1, m).ToArray();
        int Find(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }

            return x;
        }

        double? death = null;
        foreach (var (weight, i, j) in edges)
        {
            if (death is { } w && weight > w)
            {
                break;
            }

            int a = Find(i), b = Find(j);
            if (a != b)
            {
                (a, b) = size[a] >= size[b] ? (a, b) : (b, a);
                parent[b] = a;
                size[a] += size[b];
                death ??= size[a] >= minClusterSize ? weight : null;
            }
        }

        for (int i = 0; i < m; i++)
        {
            member[i] = size[Find(i)] >= minClusterSize;
        }

        return member;
    }

    /// <summary>
    /// Marks the admitted rows: the finite rows in the majority cluster of their cosine distances,
    /// with min_cluster_size = floor(n/2) + 1 for all n rows.
    /// </summary>
    public static void Select(RowMatrix inputs, Span<bool> kept)
    {
        int[] finite = Filtering.Indices(Filtering.FiniteRows(inputs));
        var distances = Filtering.CosineDistances(inputs, finite);
        var member = MajorityCluster(distances, finite.Length, (inputs.Rows / 2) + 1);
        kept.Clear();
        for (int i = 0; i < finite.Length; i++)
        {
            kept[finite[i]] = member[i];
        }
    }

    /// <summary>
    /// destination = mean over the admitted rows of x_i min(1, S / ||x_i||), plus N(0, (lambda S)^2)
    /// per coordinate drawn from <paramref name="random"/> when lambda &gt; 0.
    /// </summary>
    public static void Aggregate(RowMatrix inputs, ReadOnlySpan<double> norms, ReadOnlySpan<bool> kept, double lambda, DeterministicRandom random, Span<float> destination)
    {
        double median = Filtering.Median(norms);
        int[] rows = Filtering.Indices(kept);
        var scales = new double[rows.Length];
        for (int j = 0; j < rows.Length; j++)
        {
            scales[j] = norms[rows[j]] > median ? median / norms[rows[j]] : 1.0;
        }

        Filtering.Mean(inputs, rows, scales, destination, "flame");
        double sigma = lambda * median;
        if (sigma > 0 && double.IsFinite(sigma))
        {
            for (int k = 0; k < destination.Length; k++)
            {
                destination[k] = (float)(destination[k] + (sigma * random.NextGaussian()));
            }
        }
    }
}
