using ByzantineSim.Aggregators.CenteredClipping;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// Reference values on ByzFL's unit-test rows [1,2,3], [4,5,6], [7,8,9]. Mean, median, trimmed
/// mean, Krum, geometric median and meamed are the expected values of ByzFL's
/// tests/unit_test_aggregators.py, NNM, clipping and ARC of tests/unit_test_preaggregators.py
/// (LPD-EPFL/byzfl); the others are computed by hand from the definitions. Each value and its
/// source: docs/ALGORITHMS.md, section 7.
/// </summary>
public class GoldenVectorTests
{
    private static float[] Aggregate(string name, int f, Dictionary<string, string>? options = null, AggregationContext? context = null)
    {
        var aggregator = BuiltInAggregators.Create(name, f, options);
        var data = Matrices.Flatten(Matrices.ByzFlRows);
        var output = new float[3];
        aggregator.Aggregate(Matrices.View(data, 3), output, context ?? AggregationContext.Stateless);
        return output;
    }

    /// <summary>
    /// One golden vector per row: the case (what it checks and where the value comes from), the
    /// rule, f, its options (<c>key=value</c>, <c>;</c>-separated), the expected output and the
    /// tolerance (0: exact).
    /// </summary>
    public static TheoryData<string, string, int, string, float[], float> Cases => new()
    {
        { "Mean_ByzFlRows_IsColumnAverage", "mean", 0, "", [4f, 5f, 6f], 0 },
        // ByzFL scores with n - f - 1 = 1 neighbour; all three scores tie at 27, lowest index wins.
        { "Krum_ByzFlVariantWithF1_ReturnsFirstRow_ByzFlUnitTest", "krum", 1, "neighbours=1", [1f, 2f, 3f], 0 },
        { "Cge_F1_AveragesTheTwoSmallestNorms", "cge", 1, "", [2.5f, 3.5f, 4.5f], 0 },
        { "Cge_F1Sum_SumsTheTwoSmallestNorms", "cge", 1, "reduce=sum", [5f, 7f, 9f], 0 },
        // v = (1/3) sum_i x_i min(1, 1/||x_i||) from v0 = 0.
        { "CenteredClipping_Tau1FromZero_MatchesHandComputation", "centered-clipping", 1, "tau=1", [0.40855809f, 0.55956396f, 0.71056984f], 1e-6f },
        { "CenteredClipping_TwoIterations_MatchesHandComputation", "centered-clipping", 1, "tau=1;iterations=2", [0.80330873f, 1.11474522f, 1.42618170f], 1e-6f },
        { "CenteredClipping_LargeTau_IsMean", "centered-clipping", 1, "tau=1000", [4f, 5f, 6f], 1e-6f },
        { "GeometricMedian_Nu01T3FromZero_ByzFlUnitTest", "geometric-median", 1, "", [3.78788764f, 4.78788764f, 5.78788764f], 1e-5f },
        // Subsets {0, 1} and {1, 2} tie (same covariance); the first in index order wins.
        { "Smea_F1_ByzFlDocstring", "smea", 1, "", [2.5f, 3.5f, 4.5f], 1e-6f },
        // The first iteration's mean has the only non-zero eigenvalue; rows 0 and 2 then drop to weight zero.
        { "Caf_F1_ByzFlDocstring", "caf", 1, "", [4f, 5f, 6f], 1e-6f },
        { "Meamed_F1_ByzFlUnitTest", "meamed", 1, "", [2.5f, 3.5f, 4.5f], 1e-6f },
        { "Median_ByzFlRows_IsMiddleRow", "median", 1, "", [4f, 5f, 6f], 0 },
        { "TrimmedMean_F1_IsMiddleRow", "trimmed-mean", 1, "", [4f, 5f, 6f], 0 },
        { "Monna_F1TrustedFirst_AveragesFirstTwoRows", "monna", 1, "", [2.5f, 3.5f, 4.5f], 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Aggregate_ByzFlRows_IsTheGoldenVector(string name, string rule, int f, string options, float[] expected, float tolerance)
    {
        var bound = options.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        var output = Aggregate(rule, f, bound);
        Assert.True(output.SequenceEqual(expected, new FloatComparer(tolerance)),
            $"{name}: got [{string.Join(", ", output)}], expected [{string.Join(", ", expected)}] (tolerance {tolerance})");
    }

    [Fact]
    public void CenteredClipping_StartsFromPreviousAggregate()
    {
        var aggregator = BuiltInAggregators.Create("centered-clipping", 1);
        var data = Matrices.Flatten(Matrices.ByzFlRows);
        var first = new float[3];
        var state = aggregator.Aggregate(Matrices.View(data, 3), first, AggregationContext.Stateless);
        Assert.Equal([4f, 5f, 6f], Assert.IsType<CenteredClippingState>(state).Center.Span.ToArray());

        // Same inputs from the mean as centre: the clipped steps cancel, the output stays put.
        var second = new float[3];
        aggregator.Aggregate(Matrices.View(data, 3), second, new AggregationContext(1, 0, state));
        Assert.Equal([4f, 5f, 6f], second, new FloatComparer(1e-5f));
    }

    [Fact]
    public void Nnm_F1_ByzFlUnitTest()
    {
        var output = PreAggregate("nnm", 1);
        Assert.Equal([2.5f, 3.5f, 4.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f], output, new FloatComparer(1e-6f));
    }

    [Fact]
    public void Arc_F1_ClipsTheLargestRow_ByzFlUnitTest()
    {
        var output = PreAggregate("arc", 1);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 4.41004f, 5.04005f, 5.67005f], output, new FloatComparer(1e-5f));
    }

    [Fact]
    public void Clipping_C2_ScalesEveryRowToNorm2()
    {
        var output = PreAggregate("clipping", 1);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(2f, MathF.Sqrt(output.AsSpan(i * 3, 3).ToArray().Sum(v => v * v)), 1e-5f);
        }
    }

    private static float[] PreAggregate(string name, int f)
    {
        var step = BuiltInAggregators.CreatePreAggregator(name, f);
        var data = Matrices.Flatten(Matrices.ByzFlRows);
        var output = new float[step.OutputRows(3) * 3];
        step.Apply(Matrices.View(data, 3), output, AggregationContext.Stateless);
        return output;
    }
}
