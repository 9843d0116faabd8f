using static ByzantineSim.Aggregators.Tests.FilterRun;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>FLAME (Nguyen et al., USENIX Security 2022) against hand-derived values.</summary>
public class FlameTests
{
    private static double[] LineDistances(double[] positions) =>
        [.. from a in positions from b in positions select Math.Abs(a - b)];

    [Fact]
    public void MajorityCluster_DenseChainAndTwoOutliers_TheChain()
    {
        // Positions 0, 1, 2, 3, 10, 20; nearest-neighbour (core) distances 1, 1, 1, 1, 7, 10; the
        // mutual-reachability edges of weight 1 join 0-1-2-3, four points = min_cluster_size
        // (6 / 2 + 1): the cluster dies there, so 10 and 20 (which left at weights 7 and 10) are noise.
        var member = Flame.Flame.MajorityCluster(LineDistances([0, 1, 2, 3, 10, 20]), 6, 4);
        Assert.Equal([true, true, true, true, false, false], member);
    }

    [Fact]
    public void MajorityCluster_PointJoiningAtTheDeathWeight_Included()
    {
        // 0..4 chained by gaps of 1: the cluster reaches 4 points at weight 1, and 4 joins at that
        // same weight, so it leaves at the same (largest) lambda and keeps the label; 10 does not.
        var member = Flame.Flame.MajorityCluster(LineDistances([0, 1, 2, 3, 4, 10]), 6, 4);
        Assert.Equal([true, true, true, true, true, false], member);
    }

    [Fact]
    public void MajorityCluster_CoreDistancesRaiseWeights()
    {
        // 0, 0.5, 1 and a far pair 5, 5.1 with min_cluster_size 3: the chain's edges weigh 0.5
        // (cores 0.5, 0.5, 0.5), so the three join at 0.5 and the pair never enters.
        var member = Flame.Flame.MajorityCluster(LineDistances([0, 0.5, 1, 5, 5.1]), 5, 3);
        Assert.Equal([true, true, true, false, false], member);
    }

    [Fact]
    public void Flame_OppositeRowsWithoutNoise_FlaggedAndClippedHonestMeanReturned()
    {
        // Five equal honest rows are at cosine distance 0 (mutual reachability 0): they form the
        // cluster at weight 0, and the two opposite rows (distance 2) are noise.
        var honest = Gaussian(1, 20, 1, 0.3, 6)[0];
        float[] opposite = [.. Enumerable.Repeat(-5f, 20)];
        float[][] rows = [honest, honest, honest, honest, honest, opposite, opposite];
        var (output, flagged) = Run("flame", rows, f: 2, new() { ["lambda"] = "0" });
        Assert.Equal([5, 6], flagged);
        Close(honest.Select(v => (double)v).ToArray(), output);
    }

    [Fact]
    public void Flame_SpreadHonestRows_KeepsTheCoreThatOutlivesTheOthersAndClipsIt()
    {
        // As the hdbscan library labels a single allowed cluster, only the rows still in it when it
        // dies keep its label: here the n/2 + 1 = 4 rows that join first, whatever the others are.
        var honest = Gaussian(5, 20, 1, 0.3, 6);
        float[] opposite = [.. Enumerable.Repeat(-2f, 20)];
        float[][] rows = [.. honest, opposite, opposite];
        var (output, flagged) = Run("flame", rows, f: 2, new() { ["lambda"] = "0" });
        Assert.Contains(5, flagged);
        Assert.Contains(6, flagged);
        var kept = Enumerable.Range(0, 7).Except(flagged).ToArray();
        Assert.Equal(4, kept.Length);

        Close(ClippedMeanOf(rows, kept, MedianNorm(rows)), output);
    }

    [Fact]
    public void Flame_Noise_StdIsLambdaTimesTheMedianNormAndReproducible()
    {
        const int d = 20_000;
        var rows = Gaussian(5, d, 0.01, 0.001, 2);
        var (clean, _) = Run("flame", rows, f: 1, new() { ["lambda"] = "0" });
        var (noisy, _) = Run("flame", rows, f: 1, new() { ["lambda"] = "0.01" }, seed: 3);
        var (again, _) = Run("flame", rows, f: 1, new() { ["lambda"] = "0.01" }, seed: 3);
        var (other, _) = Run("flame", rows, f: 1, new() { ["lambda"] = "0.01" }, seed: 4);
        Assert.Equal(noisy, again);
        Assert.NotEqual(noisy, other);

        double median = rows.Select(r => Math.Sqrt(r.Sum(v => (double)v * v))).Order().ElementAt(2);
        var noise = noisy.Zip(clean, (a, b) => (double)a - b).ToArray();
        double std = Math.Sqrt(noise.Sum(v => v * v) / d);
        Assert.InRange(std / (0.01 * median), 0.97, 1.03);
        Assert.InRange(noise.Average() / (0.01 * median), -0.03, 0.03);
    }

    [Fact]
    public void Flame_NaNAndHugeRows_FlaggedOrClippedAndOutputFinite()
    {
        var honest = Gaussian(5, 10, 1, 0.2, 12);
        float[][] rows = [.. honest, [.. Enumerable.Repeat(float.NaN, 10)], [.. Enumerable.Repeat(1e38f, 10)]];
        var (output, flagged) = Run("flame", rows, f: 2);
        Assert.Contains(5, flagged);
        Assert.All(output, v => Assert.InRange(v, 0, 2));
    }
}
