using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Bulyan;

/// <summary>
/// Bulyan (El Mhamdi, Guerraoui, Rouault, ICML 2018, arXiv 1802.07927): select theta = n - 2f
/// inputs by Krum applied repeatedly (each winner removed before rescoring), then per coordinate
/// average the beta = theta - 2f selected values closest to their median (equal distances: the
/// lower value first, as in <see cref="Meamed.Meamed"/>). Requires n &gt;= 4f + 3.
/// Non-finite inputs are selected last (never, with at most f of them) and a NaN coordinate
/// counts as +Infinity in the coordinate-wise phase.
/// </summary>
public static class Bulyan
{
    /// <summary>destination = Bulyan's aggregate.</summary>
    public static void Aggregate(RowMatrix inputs, int f, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        int n = inputs.Rows;
        int theta = n - (2 * f);
        var distances = new double[n * n];
        var finite = new bool[n];
        Krum.Krum.PairwiseSquaredDistances(inputs, distances, finite);
        var selected = new int[theta];
        Krum.Krum.SelectIteratively(distances, finite, n, f, selected);
        Array.Sort(selected);
        CoordinateWise.MeanAroundMedian(inputs, selected, theta - (2 * f), destination);
    }
}
