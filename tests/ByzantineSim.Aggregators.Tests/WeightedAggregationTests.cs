using ByzantineSim.Aggregators.Mean;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// Sample-size-weighted aggregation (FedAvg's sum_k n_k / n w_k): the weighted mean against values
/// computed by hand, and which rules and pipelines accept weights.
/// </summary>
public class WeightedAggregationTests
{
    private static RowMatrix Matrix(float[][] rows) =>
        new(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);

    [Fact]
    public void WeightedMean_MatchesTheHandComputedValue()
    {
        // Rows (1, 2), (3, 4), (5, 6) with 1, 2 and 3 samples: ((1 + 6 + 15) / 6, (2 + 8 + 18) / 6).
        var inputs = Matrix([[1, 2], [3, 4], [5, 6]]);
        var output = new float[2];
        new MeanAggregator(0).Aggregate(inputs, output, AggregationContext.Stateless with { Weights = new double[] { 1, 2, 3 } });
        Assert.Equal(22.0 / 6, output[0], 5);
        Assert.Equal(28.0 / 6, output[1], 5);
    }

    [Fact]
    public void WeightedMean_WithoutWeights_IsThePlainMean()
    {
        var inputs = Matrix([[1, 2], [3, 4], [5, 6]]);
        var output = new float[2];
        new MeanAggregator(0).Aggregate(inputs, output, AggregationContext.Stateless);
        Assert.Equal([3f, 4f], output);
    }

    [Fact]
    public void WeightedMean_LeavesOutRowsOfWeightZero_EvenInfiniteOnes()
    {
        // 0 * Inf is NaN: a row without samples must not be multiplied in.
        var inputs = Matrix([[2, 4], [float.PositiveInfinity, float.NaN], [4, 8]]);
        var output = new float[2];
        MeanAggregator.WeightedMean(inputs, [1, 0, 3], output);
        Assert.Equal([3.5f, 7f], output);
    }

    [Theory]
    [InlineData(new double[] { 0, 0 }, "every input has weight 0 (no client holds samples)")]
    [InlineData(new double[] { 1, -1 }, "a weight must be finite and >= 0, got -1")]
    [InlineData(new double[] { 1 }, "1 weights for 2 rows")]
    public void WeightedMean_RejectsWeightsItCannotUse(double[] weights, string message)
    {
        var error = Assert.Throws<AggregationException>(() => MeanAggregator.WeightedMean(Matrix([[1], [2]]), weights, new float[1]));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void BuiltInWeightedList_NamesExactlyTheRulesWithAWeightedForm()
    {
        var weighted = BuiltInAggregators.Aggregators.All
            .Where(d => BuiltInAggregators.Bind(d, new Dictionary<string, string>(), 1).Aggregator.SupportsWeights)
            .Select(d => d.Name);
        Assert.Equal(BuiltInAggregators.Weighted, weighted);
    }

    [Fact]
    public void WeightsProblem_NamesTheRuleWithoutAWeightedForm_OrTheStepThatMergesRows()
    {
        Assert.Null(new AggregationPipeline(BuiltInAggregators.Create("mean", 1)).WeightsProblem);
        Assert.Null(BuiltInAggregators.CreatePipeline("clipping > mean", 1).WeightsProblem);
        Assert.Equal("krum has no sample-weighted form", new AggregationPipeline(BuiltInAggregators.Create("krum", 1)).WeightsProblem);
        Assert.Equal("bucketing merges the inputs into anonymous rows, which have no sample counts to weight",
            BuiltInAggregators.CreatePipeline("bucketing > mean", 1).WeightsProblem);
    }
}
