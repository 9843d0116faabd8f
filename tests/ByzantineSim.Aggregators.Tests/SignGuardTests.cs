using ByzantineSim.Aggregators.SignGuard;
using static ByzantineSim.Aggregators.Tests.FilterRun;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>SignGuard (Xu, Huang, Song, Lan, ICDCS 2022) and its mean-shift step against hand-derived values.</summary>
public class SignGuardTests
{
    // Three points within 0.002 of each other near (1, 0, 0) and two points 0.01 apart near
    // (0, 0, 1). estimate_bandwidth(quantile 0.5) takes, per point, the distance to its 2nd nearest
    // point counting itself: 0.001 three times and 0.01 twice, mean 0.0046. The first three share
    // a grid cell and climb to their mean; the last two are farther apart than the bandwidth and
    // stay single, ordered by their centres (larger first).
    private static readonly double[][] Points = [[1, 0, 0], [1, 0.001, 0], [1, 0.002, 0], [0, 0, 1], [0, 0.01, 1]];

    [Fact]
    public void MeanShift_Bandwidth_MeanDistanceToTheKthNearest()
    {
        Assert.Equal(0.0046, MeanShift.Bandwidth(Points, 0.5), 12);
    }

    [Fact]
    public void MeanShift_TwoGroups_DenseGroupLabelledFirstAndLargest()
    {
        var labels = MeanShift.Labels(Points, MeanShift.Bandwidth(Points, 0.5));
        Assert.Equal([0, 0, 0, 2, 1], labels);
        Assert.Equal(0, MeanShift.Largest(labels));
    }

    [Fact]
    public void MeanShift_ZeroBandwidth_GroupsEqualPoints()
    {
        double[][] points = [[1, 0, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0]];
        Assert.Equal(0, MeanShift.Bandwidth(points, 0.5));
        Assert.Equal([0, 1, 0, 0, 1], MeanShift.Labels(points, 0));
    }

    [Fact]
    public void SignGuard_SignFlippedRowsOfHonestNorm_FlaggedAndClippedHonestMeanReturned()
    {
        // Honest coordinates are about 97% positive; the two flipped rows about 97% negative with
        // the same norms, so only the sign statistics can tell them apart.
        var honest = Gaussian(5, 100, 1, 0.5, 21);
        var flipped = honest[0].Select(v => -v).ToArray();
        float[][] rows = [.. honest, flipped, flipped];
        var (output, flagged) = Run("signguard", rows, f: 2, new() { ["sign_fraction"] = "1" });
        Assert.Equal([5, 6], flagged);

        Close(ClippedMeanOf(rows, Enumerable.Range(0, honest.Length), MedianNorm(rows)), output);
    }

    [Fact]
    public void SignGuard_NormOutsideTheBounds_Flagged()
    {
        // Same signs as the honest rows, but norms of 10 and 0.01 times an honest row's: outside
        // (0.1 M, 3 M) for the median M, which is an honest row's norm.
        var honest = Gaussian(5, 30, 1, 0.2, 4);
        float[][] rows = [.. honest, [.. honest[0].Select(v => v * 10)], [.. honest[1].Select(v => v * 0.01f)]];
        var (output, flagged) = Run("signguard", rows, f: 2, new() { ["sign_fraction"] = "1" });
        Assert.Equal([5, 6], flagged);
        Assert.All(output, v => Assert.InRange(v, 0.5, 1.5));
    }

    [Fact]
    public void SignGuard_NonFiniteRow_FlaggedAndOutputFinite()
    {
        var honest = Gaussian(6, 20, 1, 0.2, 8);
        float[][] rows = [.. honest, [.. Enumerable.Repeat(float.PositiveInfinity, 20)]];
        var (output, flagged) = Run("signguard", rows, f: 1);
        Assert.Contains(6, flagged);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void SignGuard_Block_LengthAndStartsCoverEveryBlock()
    {
        Assert.Equal(1, SignGuard.SignGuard.BlockLength(5, 0.1));
        Assert.Equal(10, SignGuard.SignGuard.BlockLength(100, 0.1));
        var random = new ByzantineSim.Core.Numerics.DeterministicRandom(1);
        var starts = Enumerable.Range(0, 2000).Select(_ => SignGuard.SignGuard.BlockStart(20, 2, random)).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 19), starts.Order());
    }
}
