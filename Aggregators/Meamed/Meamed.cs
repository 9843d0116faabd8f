using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Meamed;

/// <summary>
/// Mean around the median, MeaMed (Xie, Koyejo, Gupta, 2018, arXiv 1802.10116): per coordinate,
/// the average of the n - f values closest to the coordinate's median. Between values at exactly
/// the same distance, one below and one above the median, the lower is kept; the result depends
/// on the values only, never on the row order (ByzFL's <c>argpartition</c> leaves such ties to its
/// selection algorithm; its unit-test value on [1,2,3],[4,5,6],[7,8,9] is the lower choice). No
/// value strictly closer to the median is ever dropped for a farther one, also when rows repeat
/// (coordinated Byzantine rows). A NaN coordinate counts as +Infinity.
/// </summary>
public static class Meamed
{
    /// <summary>destination = per coordinate, the mean of the n - f values closest to the median.</summary>
    public static void Aggregate(RowMatrix inputs, int f, Span<float> destination) =>
        CoordinateWise.MeanAroundMedian(inputs, Rows.AllRows(inputs.Rows), inputs.Rows - f, destination);
}
