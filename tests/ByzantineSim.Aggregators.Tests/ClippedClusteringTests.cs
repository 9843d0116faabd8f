using ByzantineSim.Aggregators.ClippedClustering;
using static ByzantineSim.Aggregators.Tests.FilterRun;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>Clipped clustering (Li et al., IEEE TBD 2023, as in Blades) against hand-derived values and Blades' unit test.</summary>
public class ClippedClusteringTests
{
    [Fact]
    public void ClippedClustering_BladesUnitTestRows_MatchesBladesAndTheHandDerivation()
    {
        // Blades' fllib/aggregators/tests/test_clippedclustering.py (commit a7f13c8) expects
        // [1.9596, 1.6532, 2.9596]. By hand: norms sqrt14, sqrt18, sqrt17, sqrt19, median
        // tau = (sqrt17 + sqrt18) / 2; row 1 points away from the others and is left alone in its
        // cluster; rows 0 and 2 are under tau, row 3 is scaled by tau / sqrt19.
        float[][] rows = [[1, 2, 3], [-1, 4, -1], [2, 2, 3], [3, 1, 3]];
        var (output, flagged) = Run("clipped-clustering", rows, f: 1);
        Assert.Equal([1], flagged);
        double s = ((Math.Sqrt(17) + Math.Sqrt(18)) / 2) / Math.Sqrt(19);
        Close([(1 + 2 + (3 * s)) / 3, (2 + 2 + s) / 3, (3 + 3 + (3 * s)) / 3], output);
        Close([1.9596, 1.6532, 2.9596], output, 5e-5);
    }

    [Fact]
    public void ClippedClustering_History_ClipsAtTheMedianOfEveryNormSoFar()
    {
        float[][] first = [[1, 0], [1, 0], [1, 0]];
        float[][] second = [[2, 0], [2, 0], [2, 0]];
        var (_, _, state) = RunWithState("clipped-clustering", first, f: 1);

        // Norms seen: 1, 1, 1, 2, 2, 2: median 1.5, so every row of the second round is clipped to 1.5.
        var (output, _) = Run("clipped-clustering", second, f: 1, state: state);
        Close([1.5, 0], output);

        var (fresh, _, none) = RunWithState("clipped-clustering", second, f: 1, new() { ["history"] = "false" }, state: state);
        Close([2, 0], fresh);
        Assert.Null(none);
        Assert.Equal([1.0, 1, 1, 2, 2, 2], ((ClippedClusteringState)RunWithState("clipped-clustering", second, f: 1, state: state).State!).Norms.ToArray());
    }

    [Fact]
    public void ClippedClustering_OppositeRows_FlaggedAndHonestClippedMeanReturned()
    {
        var honest = Gaussian(5, 4, 1, 0.1, 3);
        float[] flipped = [-5, -5, -5, -5];
        float[][] rows = [.. honest, flipped, flipped];
        var (output, flagged) = Run("clipped-clustering", rows, f: 2);
        Assert.Equal([5, 6], flagged);

        Close(ClippedMeanOf(rows, Enumerable.Range(0, honest.Length), MedianNorm(rows)), output);
    }

    [Fact]
    public void ClippedClustering_NonFiniteAndHugeRows_NaNDroppedHugeClippedOutputFinite()
    {
        var honest = Gaussian(5, 2, 1, 0.05, 9);
        float[][] rows = [.. honest, [float.NaN, 1], [1e38f, 1e38f]];
        var (output, flagged) = Run("clipped-clustering", rows, f: 2);
        Assert.Contains(5, flagged);
        Assert.DoesNotContain(6, flagged);
        Assert.All(output, v => Assert.InRange(v, 0.5, 1.5));
    }

    [Fact]
    public void ClippedClustering_EqualSizedClusters_KeepsTheTighterOne()
    {
        // Cosine distances: rows 0-1 about 5e-5 apart, rows 2-3 about 2e-4, the pairs about 1 apart.
        float[][] rows = [[1, 0], [1, 0.01f], [0, 1], [0.02f, 1]];
        var (output, flagged) = Run("clipped-clustering", rows, f: 1);
        Assert.Equal([2, 3], flagged);
        Assert.True(output[0] > 0.9 && output[1] < 0.01);
    }

    [Fact]
    public void TwoClusters_AverageVersusSingleLinkage_HandDerived()
    {
        // Points on a line at 0, 1, 2, 3, 4, 5, 7 (distance |a - b|). Single linkage joins every
        // gap of 1 and leaves 7 alone. Average linkage joins 0-1, 2-3, 4-5 (ties to the lowest
        // indices; {0,1}-2 averages 1.5), then {0,1}-{2,3} (average 2, tied with {2,3}-{4,5}),
        // then {4,5}-7 (average 2.5, against 3 for {0..3}-{4,5}): {0,1,2,3} | {4,5,7}.
        double[] line = [0, 1, 2, 3, 4, 5, 7];
        Assert.Equal([0, 0, 0, 0, 0, 0, 1], ClippedClustering.ClippedClustering.TwoClusters(Distances(line), 7, singleLinkage: true));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1], ClippedClustering.ClippedClustering.TwoClusters(Distances(line), 7, singleLinkage: false));
    }

    private static double[] Distances(double[] positions)
    {
        int m = positions.Length;
        var distances = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < m; j++)
            {
                distances[(i * m) + j] = Math.Abs(positions[i] - positions[j]);
            }
        }

        return distances;
    }
}
