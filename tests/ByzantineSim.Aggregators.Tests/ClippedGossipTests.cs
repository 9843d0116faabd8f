using ByzantineSim.Aggregators.Gossip;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>ClippedGossip against values derived by hand from x_i+ = x_i + sum_j W_ij CLIP(x_j - x_i, tau).</summary>
public class ClippedGossipTests
{
    // Own model at the origin; neighbours at distances 5, 1 and 10; every W_ij = 1/4.
    private static readonly float[] Neighbours = [3, 4, 0, 1, 6, 8];
    private static readonly double[] Weights = [0.25, 0.25, 0.25];

    private static (float[] Mixed, double Tau) Mix(double? radius, float[]? neighbours = null, float[]? own = null)
    {
        var destination = new float[2];
        double tau = ClippedGossip.Mix(own ?? [0, 0], new RowMatrix(neighbours ?? Neighbours, 3, 2), Weights, radius, destination);
        return (destination, tau);
    }

    [Fact]
    public void AdaptiveRadius_IsTheSecondLargestDistance_AndClipsOnlyTheFarthest()
    {
        // tau = 5: [6, 8] is halved to [3, 4]; 0.25 * ([3, 4] + [0, 1] + [3, 4]) = [1.5, 2.25].
        var (mixed, tau) = Mix(null);
        Assert.Equal(5, tau, 6);
        Assert.Equal([1.5f, 2.25f], mixed);
    }

    [Fact]
    public void FixedRadius_ClipsEveryLongerStep()
    {
        // tau = 1: [0.6, 0.8] + [0, 1] + [0.6, 0.8] = [1.2, 2.6], times 1/4.
        var (mixed, _) = Mix(1);
        Assert.Equal(0.3f, mixed[0], 6);
        Assert.Equal(0.65f, mixed[1], 6);
    }

    [Fact]
    public void InfiniteRadius_IsPlainMetropolisGossip()
    {
        var (mixed, _) = Mix(double.PositiveInfinity);
        Assert.Equal([2.25f, 3.25f], mixed);
    }

    [Fact]
    public void OneNeighbour_IsNotClipped() =>
        Assert.Equal(5, ClippedGossip.Adaptive([5.0]));

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(1e38f)]
    [InlineData(-3.4e38f)]
    public void ExtremeNeighbours_NeverMakeTheResultNonFinite(float value)
    {
        float[] neighbours = [value, value, 0, 1, value, -value];
        var (mixed, _) = Mix(null, neighbours, [1, 1]);
        Assert.All(mixed, v => Assert.True(float.IsFinite(v)));
        var (gossip, _) = Mix(double.PositiveInfinity, neighbours, [1, 1]);
        Assert.All(gossip, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Mix_AllocatesNoModelSizedArrayPerCall()
    {
        // Every peer mixes every round; the step sum used to be a fresh d-double array (800 KB here).
        const int d = 100_000;
        var own = Matrices.Gaussian(1, d, 1);
        var neighbours = new RowMatrix(Matrices.Gaussian(3, d, 2), 3, d);
        var destination = new float[d];
        long most = 0;
        for (int call = 0; call < 4; call++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ClippedGossip.Mix(own, neighbours, Weights, null, destination);
            most = call < 2 ? 0 : Math.Max(most, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.InRange(most, 0, d); // under a quarter of one d-float array per call
    }
}
