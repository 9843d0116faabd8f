using static ByzantineSim.Aggregators.Tests.FilterRun;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>DnC (Shejwalkar, Houmansadr, NDSS 2021, Algorithm 2) against hand-derived values.</summary>
public class DncTests
{
    // Rows (0,0), (1,0), (0,1), (10,10): mean (2.75, 2.75); centred (-2.75,-2.75), (-1.75,-2.75),
    // (-2.75,-1.75), (7.25,7.25). Swapping the coordinates swaps rows 1 and 2, so the top singular
    // vector is (1,1)/sqrt2 (variance 140.5) or (1,-1)/sqrt2 (variance 1): (1,1)/sqrt2. Scores
    // ((x - mu).v)^2 = 15.125, 10.125, 10.125, 105.125.
    private static readonly float[][] Square = [[0, 0], [1, 0], [0, 1], [10, 10]];

    [Fact]
    public void Dnc_HandDerivedRows_DropsTheHighestScore()
    {
        var (output, flagged) = Run("dnc", Square, f: 1);
        Assert.Equal([3], flagged);
        Close([1 / 3.0, 1 / 3.0], output);
    }

    [Fact]
    public void Dnc_FilterFractionTwo_DropsTheTwoHighestScores()
    {
        var (output, flagged) = Run("dnc", Square, f: 1, new() { ["filter_fraction"] = "2" });
        Assert.Equal([0, 3], flagged);
        Close([0.5, 0.5], output);
    }

    [Fact]
    public void Dnc_NonFiniteRow_DroppedFirstAndFlagged()
    {
        float[][] rows = [[0, 0], [1, 0], [float.NaN, 1], [0, 1], [2, 2]];
        var (output, flagged) = Run("dnc", rows, f: 1);
        Assert.Equal([2], flagged);
        Close([0.75, 0.75], output);
    }

    [Fact]
    public void Dnc_HugeRowAndAFarRowOnTheSameSide_BothDropped()
    {
        // The 1e38 row dominates the singular vector (1,1,1)/sqrt3 and the centre of the
        // projections; every other projection differs from it by less than its rounding, so only
        // the exact same-side comparison tells that the row at -1e6 (index 0, which a tie would
        // keep) is farther than the honest rows.
        var honest = Gaussian(6, 3, 1, 0.1, 5);
        float[][] rows = [[-1e6f, -1e6f, -1e6f], .. honest, [1e38f, 1e38f, 1e38f]];
        var (output, flagged) = Run("dnc", rows, f: 2);
        Assert.Equal([0, 7], flagged);
        Close(MeanOf(honest), output);
    }

    [Fact]
    public void Dnc_IdenticalDistantByzantineRows_FlaggedExactly()
    {
        var honest = Gaussian(7, 50, 0.5, 1, 11);
        var far = Enumerable.Range(0, 50).Select(k => (float)(0.5 + (k % 2 == 0 ? 20 : -20))).ToArray();
        float[][] rows = [.. honest, far, far, far];
        var (output, flagged) = Run("dnc", rows, f: 3);
        Assert.Equal([7, 8, 9], flagged);
        Close(MeanOf(honest), output);
    }

    // Rows differing only in coordinate 0 (row 3) or only in coordinate 1 (row 4): with one sampled
    // coordinate per iteration, an iteration drops row 3 when it draws coordinate 0 (mean 1,
    // scores 1, 1, 1, 16, 1) and row 4 when it draws coordinate 1.
    private static readonly float[][] TwoCoordinates = [[0, 0], [0, 0], [0, 0], [5, 0], [0, 5]];

    [Fact]
    public void Dnc_OneSampledCoordinate_DropsTheRowThatDeviatesThereAndIsReproducible()
    {
        var options = new Dictionary<string, string> { ["subsample"] = "1" };
        var outcomes = new HashSet<int>();
        for (ulong seed = 0; seed < 32; seed++)
        {
            var (output, flagged) = Run("dnc", TwoCoordinates, f: 1, options, seed);
            int dropped = Assert.Single(flagged);
            Assert.Contains(dropped, new[] { 3, 4 });
            Close(dropped == 3 ? [0, 1.25] : [1.25, 0], output);
            Assert.Equal(output, Run("dnc", TwoCoordinates, f: 1, options, seed).Output);
            outcomes.Add(dropped);
        }

        Assert.Equal(2, outcomes.Count);
    }

    [Fact]
    public void Dnc_TwoIterations_KeepsOnlyRowsEveryIterationKept()
    {
        var options = new Dictionary<string, string> { ["subsample"] = "1", ["iterations"] = "2" };
        int both = 0;
        for (ulong seed = 0; seed < 32; seed++)
        {
            var (output, flagged) = Run("dnc", TwoCoordinates, f: 1, options, seed);
            if (flagged.Length == 2)
            {
                Assert.Equal([3, 4], flagged);
                Close([0, 0], output);
                both++;
            }
            else
            {
                Assert.Contains(Assert.Single(flagged), new[] { 3, 4 });
            }
        }

        Assert.InRange(both, 1, 31);
    }

    [Fact]
    public void Dnc_RemovingEveryRow_Refused()
    {
        var dnc = BuiltInAggregators.Create("dnc", 1, new Dictionary<string, string> { ["filter_fraction"] = "3" });
        Assert.False(dnc.Accepts(3));
        var error = Assert.Throws<AggregationException>(() =>
            dnc.Aggregate(new RowMatrix(new float[6], 3, 2), new float[2], AggregationContext.Stateless));
        Assert.Contains("floor(c f) < n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dnc_Coordinates_DistinctIncreasingAndAllWhenSubsampleCoversD()
    {
        var random = new DeterministicRandom(3);
        var chosen = Dnc.Dnc.Coordinates(1000, 100, random);
        Assert.Equal(100, chosen.Distinct().Count());
        Assert.Equal(chosen.Order(), chosen);
        Assert.All(chosen, k => Assert.InRange(k, 0, 999));
        Assert.Equal(Enumerable.Range(0, 7), Dnc.Dnc.Coordinates(7, 10, random));
    }
}
