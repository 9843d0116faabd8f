using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.ClippedClustering;

/// <summary>
/// Clipped clustering (Li et al., "An Experimental Study of Byzantine-Robust Aggregation
/// Schemes in Federated Learning", IEEE Transactions on Big Data 2023, IEEE document 10018261;
/// as implemented in Blades): clip every row to norm at most tau (the median of the
/// norms, capped), split the rows into two clusters by agglomerative clustering on cosine
/// distances, and average the clipped rows of the larger cluster.
/// </summary>
/// <remarks>
/// Clipping does not change a cosine, so distances come from the unclipped rows. Rows holding NaN
/// or +-Inf are dropped before everything. Equal-sized clusters: the one with the smaller mean
/// pairwise distance, then the one holding the lowest index. Ties between merge candidates go to
/// the pair of clusters with the lowest smallest members.
/// </remarks>
public static class ClippedClustering
{
    /// <summary>
    /// Agglomerative clustering of m points with the given distances (m x m) into two clusters;
    /// returns each point's cluster, 0 or 1 (all 0 when m &lt; 2).
    /// </summary>
    public static int[] TwoClusters(ReadOnlySpan<double> distances, int m, bool singleLinkage)
    {
        var label = new int[m];
        if (m < 2)
        {
            return label;
        }

        // Cluster c is represented by its smallest member; members[c] lists the points it holds.
        var members = new List<int>?[m];
        var between = distances.ToArray();
        for (int i = 0; i < m; i++)
        {
            members[i] = [i];
        }

        for (int clusters = m; clusters > 2; clusters--)
        {
            int bestA = -1, bestB = -1;
            double best = double.PositiveInfinity;
            for (int a = 0; a < m; a++)
            {
                if (members[a] is null)
                {
                    continue;
                }

                for (int b = a + 1; b < m; b++)
                {
                    if (members[b] is not null && (bestA < 0 || between[(a * m) + b] < best))
                    {
                        best = between[(a * m) + b];
                        (bestA, bestB) = (a, b);
                    }
                }
            }

            // Lance-Williams update of the merged cluster's distance to every other cluster.
            int sizeA = members[bestA]!.Count, sizeB = members[bestB]!.Count;
            for (int c = 0; c < m; c++)
            {
                if (members[c] is null || c == bestA || c == bestB)
                {
                    continue;
                }

                double toA = between[(c * m) + bestA], toB = between[(c * m) + bestB];
                double merged = singleLinkage ? Math.Min(toA, toB) : ((sizeA * toA) + (sizeB * toB)) / (sizeA + sizeB);
                between[(c * m) + bestA] = merged;
                between[(bestA * m) + c] = merged;
            }

            members[bestA]!.AddRange(members[bestB]!);
            members[bestB] = null;
        }

        int second = Array.FindLastIndex(members, list => list is not null);
        foreach (int point in members[second]!)
        {
            label[point] = 1;
        }

        return label;
    }

    /// <summary>
    /// Which of the two clusters to keep: the larger; on equal sizes the one with the smaller mean
    /// pairwise distance, then the one holding point 0.
    /// </summary>
    public static int Chosen(ReadOnlySpan<int> labels, ReadOnlySpan<double> distances)
    {
        int m = labels.Length;
        if (m == 0)
        {
            return 0;
        }

        int ones = 0;
        foreach (int label in labels)
        {
            ones += label;
        }

        if (2 * ones != m)
        {
            return 2 * ones > m ? 1 : 0;
        }

        var spread = new double[2];
        for (int i = 0; i < m; i++)
        {
            for (int j = i + 1; j < m; j++)
            {
                if (labels[i] == labels[j])
                {
                    spread[labels[i]] += distances[(i * m) + j];
                }
            }
        }

        return spread[0] != spread[1] ? (spread[1] < spread[0] ? 1 : 0) : labels[0];
    }

    /// <summary>
    /// Selects the rows to keep and their clipping scales min(1, tau / ||x_i||).
    /// </summary>
    /// <param name="inputs">The rows.</param>
    /// <param name="norms">Each row's norm (+Infinity for a non-finite row), as <see cref="Rows.Norms"/> gives.</param>
    /// <param name="threshold">tau.</param>
    /// <param name="singleLinkage">Single instead of average linkage.</param>
    /// <param name="kept">n flags, written.</param>
    /// <returns>The kept rows, increasing, and their scales.</returns>
    public static (int[] Rows, double[] Scales) Select(RowMatrix inputs, ReadOnlySpan<double> norms, double threshold, bool singleLinkage, Span<bool> kept)
    {
        int[] finite = Filtering.Indices(Filtering.FiniteRows(inputs));
        var distances = Filtering.CosineDistances(inputs, finite);
        var labels = TwoClusters(distances, finite.Length, singleLinkage);
        int chosen = Chosen(labels, distances);
        kept.Clear();
        var rows = new List<int>();
        var scales = new List<double>();
        for (int i = 0; i < finite.Length; i++)
        {
            if (labels[i] == chosen)
            {
                int row = finite[i];
                kept[row] = true;
                rows.Add(row);
                scales.Add(norms[row] > threshold ? threshold / norms[row] : 1.0);
            }
        }

        return ([.. rows], [.. scales]);
    }
}
