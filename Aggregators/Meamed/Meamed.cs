using ByzantineSim.Aggregators.Numerics;
using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Aggregators.Meamed;

/// <summary>
/// Mean around the median, MeaMed (Xie, Koyejo, Gupta, 2018, arXiv 1802.10116): per coordinate,
/// the average of the n - f values closest to the coordinate's median. The n - f closest values
/// form a window of the sorted coordinate; among windows with the same largest deviation the one
/// starting lowest wins (this reproduces ByzFL's unit-test value on [1,2,3],[4,5,6],[7,8,9]).
/// A NaN coordinate counts as +Infinity.
/// </summary>
public static class Meamed
{
    /// <summary>destination = per coordinate, the mean of the n - f values closest to the median.</summary>
    public static void Aggregate(RowMatrix inputs, int f, Span<float> destination) =>
        CoordinateWise.MeanAroundMedian(inputs, Rows.AllRows(inputs.Rows), inputs.Rows - f, destination);
}
