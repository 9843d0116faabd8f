using ByzantineSim.Simulator.Asynchrony;

namespace ByzantineSim.Simulator.Tests.Asynchrony;

/// <summary>Whole asynchronous runs on the production wiring (actor, trainer pool).</summary>
public class AsyncRunTests
{
    private static readonly DelayDistribution Zero = new(DelayKind.Constant, 0, 0, 0);
    private static readonly DelayDistribution Exponential = new(DelayKind.Exponential, 1, 0, 0);

    private static AsynchronySettings FedBuff(int buffer, DelayDistribution compute, DelayDistribution latency) =>
        new(AsyncMode.FedBuff, buffer, 1, StalenessFunction.Constant, compute, latency, 17);

    private static string Evaluations(RunResult result) =>
        string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TrainLoss:R},{e.TestAccuracy:R},{e.TestLoss:R}"));

    private static string Rounds(RunResult result) =>
        string.Join(";", result.Rounds.Select(r => $"{r.Round},{r.TrainLoss:R},{r.Aggregated},{r.Rejected},{r.Missing},{r.SimulatedSeconds:R}"));

    private static async Task<RunResult> Run(int trainers, RunSetup setup)
    {
        await using var simulator = SimulatorSystem.Create(trainers, $"async-{trainers}-{Guid.NewGuid():N}");
        return await simulator.RunAsync(setup);
    }

    private static RunSetup Setup(string aggregator = "cge", IAttack? attack = null, int rounds = 6) =>
        TinyRun.Setup(aggregator, attack ?? BuiltInAttacks.Create("alie", new AttackPopulation(9, 2)), rounds: rounds);

    [Fact]
    public async Task FedBuffWithKEqualToNAndZeroLatency_EqualsTheSynchronousRun()
    {
        // Equal speeds, no latency, K = n: each buffer is one synchronous round (same rows in
        // client-id order, same attack and aggregation seeds), so every record must agree exactly.
        var sync = Setup();
        var buffered = sync with { Asynchrony = FedBuff(9, new DelayDistribution(DelayKind.Constant, 1, 0, 0), Zero) };
        var expected = await Run(2, sync);
        var actual = await Run(2, buffered);
        Assert.Equal(Evaluations(expected), Evaluations(actual));
        Assert.Equal(expected.Rounds.Select(r => (r.TrainLoss, r.Aggregated)), actual.Rounds.Select(r => (r.TrainLoss, r.Aggregated)));
        Assert.All(actual.Arrivals, a => Assert.Equal(0, a.Staleness));
    }

    [Fact]
    public async Task SyncModeWithHeterogeneousSpeeds_EqualsTheSynchronousRun_StepsLastAsLongAsTheSlowest()
    {
        var sync = Setup();
        var timed = sync with { Asynchrony = new AsynchronySettings(AsyncMode.Sync, 9, 1, StalenessFunction.Constant, Exponential, Exponential, 4) { ComputeSpread = 5 } };
        var expected = await Run(2, sync);
        var actual = await Run(2, timed);
        Assert.Equal(Evaluations(expected), Evaluations(actual));

        // Each step closes at its slowest client's arrival, which the next step's jobs start from.
        var byStep = actual.Arrivals.GroupBy(a => a.Step).ToList();
        Assert.All(byStep, g => Assert.Equal(actual.Rounds[g.Key].SimulatedSeconds, g.Max(a => a.Time)));
        Assert.All(byStep.Skip(1), g => Assert.All(g, a => Assert.Equal(actual.Rounds[g.Key - 1].SimulatedSeconds, a.Start)));
    }

    [Fact]
    public async Task FedBuffWithLatencySpread_DiffersFromTheSynchronousRun()
    {
        // The differential test above could pass with the asynchrony ignored: here it must matter.
        var sync = Setup();
        var buffered = sync with { Asynchrony = FedBuff(9, new DelayDistribution(DelayKind.Constant, 1, 0, 0), Exponential) };
        var actual = await Run(2, buffered);
        Assert.NotEqual(Evaluations(await Run(2, sync)), Evaluations(actual));
        Assert.Contains(actual.Arrivals, a => a.Staleness > 0);
    }

    [Fact]
    public async Task HeterogeneousSpeeds_OneOrTwoTrainers_IdenticalRecords()
    {
        foreach (var settings in new[]
        {
            FedBuff(4, Exponential, Exponential) with { ComputeSpread = 5, Staleness = new StalenessFunction(StalenessKind.Polynomial, 0.5, 0) },
            new AsynchronySettings(AsyncMode.FedAsync, 1, 0.6, new StalenessFunction(StalenessKind.Hinge, 10, 4), Exponential, Exponential, 3) { ComputeSpread = 5 },
        })
        {
            var setup = Setup(settings.Mode == AsyncMode.FedAsync ? "mean" : "cge", rounds: 12) with { Asynchrony = settings };
            var one = await Run(1, setup);
            var two = await Run(2, setup);
            Assert.Equal(12, one.Rounds.Length);
            Assert.Equal((Evaluations(one), Rounds(one)), (Evaluations(two), Rounds(two)));
            Assert.Equal(string.Join('\n', one.Arrivals), string.Join('\n', two.Arrivals));
            Assert.Contains(one.Arrivals, a => a.Staleness > 0);
            Assert.True(one.Evaluations.All(e => double.IsFinite(e.TestAccuracy)));
        }
    }
}
