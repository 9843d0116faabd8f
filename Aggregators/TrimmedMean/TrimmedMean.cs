using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.TrimmedMean;

/// <summary>
/// Coordinate-wise trimmed mean, CWTM (Yin, Chen, Ramchandran, Bartlett, ICML 2018,
/// arXiv 1803.01498): per coordinate, drop the f smallest and the f largest values and average
/// the n - 2f left. A NaN coordinate counts as +Infinity, so at most f non-finite values per
/// coordinate are always trimmed away. (f, kappa)-robust with
/// kappa = 6f / (n - 2f) * (1 + f / (n - 2f)) (Allouah et al., AISTATS 2023, arXiv 2302.01772).
/// </summary>
public static class TrimmedMean
{
    /// <summary>destination = coordinate-wise mean after trimming <paramref name="f"/> values from each side.</summary>
    public static void Aggregate(RowMatrix inputs, int f, Span<float> destination) =>
        CoordinateWise.TrimmedMean(inputs, Rows.AllRows(inputs.Rows), f, destination);
}
