using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Median;

/// <summary>
/// Coordinate-wise median, CWMed (Yin, Chen, Ramchandran, Bartlett, ICML 2018, arXiv 1803.01498):
/// F(x)_k = median(x_1k, ..., x_nk), the mean of the two middle values when n is even. A NaN
/// coordinate counts as +Infinity, so with at most f non-finite rows and n &gt; 2f every output
/// coordinate lies inside the range of the honest values. (f, kappa)-robust with
/// kappa = 4 (1 + f / (n - 2f))^2 (Allouah et al., AISTATS 2023, arXiv 2302.01772).
/// </summary>
public static class Median
{
    /// <summary>destination = coordinate-wise median of all rows.</summary>
    public static void Aggregate(RowMatrix inputs, Span<float> destination) =>
        CoordinateWise.Median(inputs, Rows.AllRows(inputs.Rows), destination);
}
