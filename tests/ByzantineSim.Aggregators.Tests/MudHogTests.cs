using ByzantineSim.Aggregators.MudHog;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>MUD-HoG's clustering steps and its detection on a scenario traced by hand through the reference code's steps.</summary>
public class MudHogTests
{
    [Fact]
    public void Dbscan_TwoClustersAndNoise_ScikitLearnLabels()
    {
        double[][] points = [[0], [0.1], [0.2], [5], [5.1], [10]];
        Assert.Equal([0, 0, 0, 1, 1, -1], Clustering.Dbscan(points, 0.15, 2));
    }

    [Fact]
    public void Dbscan_BorderPoint_JoinsTheClusterThatReachesIt()
    {
        // eps 1, min_samples 3: 1 and 2 are core points; 0 and 3 have two neighbours (border); 10 is noise.
        double[][] points = [[0], [1], [2], [3], [10]];
        Assert.Equal([0, 0, 0, 0, -1], Clustering.Dbscan(points, 1, 3));
    }

    [Fact]
    public void Majority_TiedCounts_TheLabelSeenFirstWins() =>
        Assert.Equal([0, 3], Clustering.Majority([1, 0, 0, 1, -1]));

    [Fact]
    public void SeparatePoint_MidpointOfTheLargestGap()
    {
        Assert.Equal(4, Clustering.SeparatePoint([7, 1, 6, 2]));
        Assert.Equal(0, Clustering.SeparatePoint([3]));
    }

    [Fact]
    public void TwoMeansMinority_TwoGroups_TheSmallerOne()
    {
        // Starts from the farthest pair (0 and 12); converges to {0, 0.5} and {10, 11, 12}.
        double[][] points = [[0], [0.5], [10], [11], [12]];
        Assert.Equal([0, 1], Clustering.TwoMeansMinority(points));
        Assert.Empty(Clustering.TwoMeansMinority([[1, 1], [1, 1]])); // one cluster: equal sizes never arise, cluster 1 is empty
    }

    /// <summary>
    /// Clients 0-5 send (1, 1); 6 is unreliable, (1.3, 0.8); 7 flips the sign, (-1, -1); 8 adds
    /// noise, (7, -5); 9 is targeted, (1.5, 0.2). Warm-up 0, delay 1, eps 0.5, min_samples 3.
    /// Round 1: 7 is at an obtuse angle to the median (1, 1); DBSCAN puts 0-6 in one cluster and
    /// leaves 8 and 9 as noise, whose distances to (1, 1), 8.49 and 0.94, split at 4.71, so 8 is
    /// additive noise; 2-means on the long HoGs of 0-6 and 9 isolates 9 (targeted); 7 and 8 are
    /// confirmed at once (delay 1), 9 only after 2 delay rounds. The mean is over 0-6.
    /// Round 3: with 9 confirmed, the cosines to the median of 0-6 are 1 and 0.973 (client 6),
    /// split at 0.986: 6 is flagged unreliable in rounds 2 and 3, and confirmed once its count
    /// exceeds the delay.
    /// </summary>
    [Fact]
    public void Detect_FourKindsOfClients_AsTracedThroughTheReference()
    {
        float[][] rows = [[1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1.3f, 0.8f], [-1, -1], [7, -5], [1.5f, 0.2f]];
        var rule = new MudHogAggregator(0, new MudHogOptions(Eps: 0.5, MinSamples: 3, Warmup: 0, Delay: 1, Window: 3));
        AggregatorState? state = null;
        var expectedMean = new[] { 7.3f / 7, 6.8f / 7 };
        for (int round = 1; round <= 3; round++)
        {
            var verdicts = new RowVerdicts();
            var output = new float[2];
            state = rule.Aggregate(new RowMatrix([.. rows.SelectMany(r => r)], 10, 2), output, new AggregationContext(round, 0, state) { Verdicts = verdicts });
            Assert.Equal(expectedMean[0], output[0], 1e-5);
            Assert.Equal(expectedMean[1], output[1], 1e-5);
            Assert.Equal([7, 8, 9], verdicts.Flags.Where(f => f.Verdict == Verdict.Malicious).Select(f => f.Row));
            Assert.Equal(round == 3 ? [6] : [], verdicts.Flags.Where(f => f.Verdict == Verdict.Unreliable).Select(f => f.Row));
            var mud = Assert.IsType<MudHogState>(state);
            Assert.Equal([7], mud.FlipSign);
            Assert.Equal([8], mud.Untargeted);
            Assert.Equal(round >= 2 ? [9] : [], mud.Targeted);
        }
    }

    [Fact]
    public void WarmUp_FirstRounds_MeanOfEveryFiniteRowAndNoFlag()
    {
        float[] data = [1, 1, -1, -1, 7, -5, float.NaN, 0];
        var verdicts = new RowVerdicts();
        var output = new float[2];
        var rule = BuiltInAggregators.Create("mud-hog", 0);
        rule.Aggregate(new RowMatrix(data, 4, 2), output, new AggregationContext(0, 0, null) { Verdicts = verdicts });
        Assert.Equal([7f / 3, -5f / 3], output);
        Assert.Equal([(3, Verdict.Malicious)], verdicts.Flags); // only the non-finite row
    }

    [Fact]
    public void Histories_ShortIsTheMeanOfTheLastWindowLongIsTheSum()
    {
        var rule = new MudHogAggregator(0, new MudHogOptions(0.5, 5, Warmup: 10, Delay: 2, Window: 2));
        AggregatorState? state = null;
        foreach (float value in new[] { 1f, 2f, 6f })
        {
            state = rule.Aggregate(new RowMatrix([value], 1, 1), new float[1], new AggregationContext(0, 0, state) { Clients = new[] { 42 } });
        }

        var client = Assert.IsType<MudHogState>(state).Clients[42];
        Assert.Equal([9.0], client.LongHog());
        Assert.Equal([4.0], client.ShortHog());
    }
}
