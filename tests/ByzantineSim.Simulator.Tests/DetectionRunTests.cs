namespace ByzantineSim.Simulator.Tests;

/// <summary>One simulator shared by the detection runs.</summary>
public sealed class DetectionFixture() : SimulatorFixture("detection");

/// <summary>
/// FLTrust, FoolsGold and MUD-HoG end to end through the actors: the server hands them the client
/// ids of the rows, their history across rounds and, for FLTrust, its own update on server_data;
/// their flags come back as each round's detection, counted against the Byzantine ids 7 and 8.
/// </summary>
public sealed class DetectionRunTests(DetectionFixture fixture) : IClassFixture<DetectionFixture>
{
    private const int Honest = 7;
    private const int Byzantine = 2;

    private static IAttack SignFlip => BuiltInAttacks.Create("sign-flip", new AttackPopulation(Honest + Byzantine, Byzantine, Classes: 4));

    [Theory]
    [InlineData("fltrust")]
    [InlineData("foolsgold")]
    public async Task Rule_SignFlippers_FlaggedEveryRoundAndTheModelLearns(string rule)
    {
        // FLTrust: -mean(honest) points away from the server's update (trust 0). FoolsGold: the two
        // flippers send the same vector, so their histories have cosine 1 (weight 0).
        var result = await fixture.Simulator.RunAsync(TinyRun.Setup(rule, SignFlip, Honest, Byzantine, rounds: 6));

        Assert.All(result.Rounds, r => Assert.False(r.AggregationFailed));
        Assert.All(result.Rounds, r =>
        {
            var detection = Assert.IsType<RoundDetection>(r.Detection);
            Assert.Equal(2, detection.TruePositives);
            Assert.Equal(0, detection.FalseNegatives);
            Assert.Subset(Enumerable.Range(0, Honest + Byzantine).ToHashSet(), detection.Flagged.ToHashSet());
        });
        Assert.True(result.Final.TestAccuracy > result.Evaluations[0].TestAccuracy, $"accuracy {result.Evaluations[0].TestAccuracy} -> {result.Final.TestAccuracy}");
    }

    [Fact]
    public async Task MudHog_SignFlippers_ConfirmedAfterWarmUpAndDelay()
    {
        // Warm-up 3 rounds (no detection: nothing flagged), then the flippers' short histories are
        // at an obtuse angle to the median: suspected in round 3, confirmed and excluded from round 4.
        var result = await fixture.Simulator.RunAsync(TinyRun.Setup("mud-hog", SignFlip, Honest, Byzantine, rounds: 7));

        Assert.All(result.Rounds.Take(3), r => Assert.Empty(Assert.IsType<RoundDetection>(r.Detection).Flagged));
        Assert.All(result.Rounds.Take(3), r => Assert.Equal(Byzantine, r.Detection!.FalseNegatives));
        Assert.All(result.Rounds.Skip(4), r => Assert.Equal(2, r.Detection!.TruePositives));
        Assert.All(result.Evaluations, e => Assert.True(double.IsFinite(e.TestLoss)));
    }

    [Fact]
    public async Task NonDetectingRule_NoDetectionRecorded()
    {
        var result = await fixture.Simulator.RunAsync(TinyRun.Setup("median", SignFlip, Honest, Byzantine, rounds: 2));
        Assert.All(result.Rounds, r => Assert.Null(r.Detection));
    }

    [Fact]
    public async Task FlTrust_SameSetup_SameResultsRunToRun()
    {
        // The server's update is one more trainer computation: it must not make a run depend on timing.
        var first = await fixture.Simulator.RunAsync(TinyRun.Setup("fltrust", SignFlip, Honest, Byzantine, rounds: 4));
        var second = await fixture.Simulator.RunAsync(TinyRun.Setup("fltrust", SignFlip, Honest, Byzantine, rounds: 4));
        Assert.Equal(first.Evaluations.Select(e => e.TestLoss), second.Evaluations.Select(e => e.TestLoss));
        Assert.Equal(first.Rounds.Select(r => r.TrainLoss), second.Rounds.Select(r => r.TrainLoss));
    }

    [Fact]
    public void ServerData_DrawnFromTrain_NoClientHoldsItAndTheRestIsKept()
    {
        var data = new Clients.Data.DataSplit(
            TinyRunData.Train(50),
            TinyRunData.Train(10));
        var (split, server) = new ServerDataSettings(12, ServerDataSource.Train, 3).Split(data);
        Assert.Equal(12, server.Count);
        Assert.Equal(38, split.Train.Count);
        var serverRows = Enumerable.Range(0, 12).Select(i => server.Features[i]).ToHashSet();
        var trainRows = Enumerable.Range(0, 38).Select(i => split.Train.Features[i]).ToHashSet();
        Assert.Empty(serverRows.Intersect(trainRows));
        Assert.Equal(50, serverRows.Union(trainRows).Count());

        var (heldOut, fromTest) = new ServerDataSettings(4, ServerDataSource.TestHoldout, 3).Split(data);
        Assert.Equal(6, heldOut.Test.Count);
        Assert.Equal(4, fromTest.Count);
        Assert.Equal(50, heldOut.Train.Count);
        Assert.Throws<ArgumentException>(() => new ServerDataSettings(10, ServerDataSource.TestHoldout, 3).Split(data));
    }

    [Fact]
    public void RoundDetection_RowsMappedToIds_CountedAgainstTheByzantineIdsSeen()
    {
        // Rows 0..4 hold clients 1, 3, 6, 7, 9; ids >= 6 are Byzantine (6, 7, 9 seen; 8 was missing).
        int[] clients = [1, 3, 6, 7, 9];
        var detection = RoundDetection.Of(
            [(4, Aggregators.Verdict.Malicious), (1, Aggregators.Verdict.Malicious), (2, Aggregators.Verdict.Malicious), (0, Aggregators.Verdict.Unreliable)],
            clients,
            honestClients: 6);
        Assert.Equal([3, 6, 9], detection.Flagged.ToArray());
        Assert.Equal([1], detection.Unreliable.ToArray());
        Assert.Equal(2, detection.TruePositives);   // 6 and 9
        Assert.Equal(1, detection.FalsePositives);  // 3
        Assert.Equal(1, detection.FalseNegatives);  // 7; 8 sent nothing the rule could see
    }

    /// <summary>Data sets whose sample i has the single feature i, so samples can be told apart.</summary>
    private static class TinyRunData
    {
        public static Clients.Data.Dataset Train(int count) =>
            new("t/train", [1], 2, [.. Enumerable.Range(0, count).Select(i => (float)i)], [.. Enumerable.Range(0, count).Select(i => i % 2)]);
    }
}
