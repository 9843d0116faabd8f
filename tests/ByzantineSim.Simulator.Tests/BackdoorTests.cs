using Xunit.Abstractions;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// A backdoor on real images: one Byzantine client of six poisons every sample of its batches
/// (fraction 1) with BadNets' square trigger and target 2, the server takes the plain mean.
/// The attack success rate must end high, while a run without Byzantine clients, measured on the
/// same triggered test set, stays near the base rate of a clean model (how often it calls a
/// triggered non-target image a pullover anyway).
/// </summary>
public sealed class BackdoorTests(ITestOutputHelper output)
{
    private const int Rounds = 40;

    private static RunSetup Setup(int byzantine, string name = "badnets", Dictionary<string, string>? options = null, int rounds = Rounds)
    {
        DatasetCatalog.Registry.TryGet("fashion-mnist", out var fashion);
        var data = DatasetCatalog.Bind(fashion!, new Dictionary<string, string>()).Source;
        var attack = BuiltInAttacks.Create(name, new AttackPopulation(5 + byzantine, byzantine, 10, [1, 28, 28]),
            options ?? new Dictionary<string, string> { ["fraction"] = "1" });
        return new RunSetup(
            $"backdoor-{name}-f{byzantine}",
            7,
            data,
            new IidPartitioner(),
            new MultiLayerPerceptron([32]),
            5,
            byzantine,
            new TrainingSettings(rounds, 32, LearningRateSchedule.Constant(0.1), 0, 0, MomentumForm.Average, 0, rounds),
            () => new AggregationPipeline(BuiltInAggregators.Create("mean", byzantine)),
            attack,
            ThreatModel.Default,
            new ServerSettings(TimeSpan.FromMinutes(5), NonFinitePolicy.Pass),
            FaultSettings.None);
    }

    [Fact]
    public async Task BadNets_OnePoisonedClientUnderMean_ReachesHighSuccessWhileCleanRunStaysAtBaseRate()
    {
        Assert.True(TestKit.TestKitInfo.HasFashionMnist, "Fashion-MNIST is not installed: run scripts/setup.sh");
        await using var simulator = SimulatorSystem.Create(trainers: 2, name: "backdoor");
        RunResult poisoned = await simulator.RunAsync(Setup(byzantine: 1));
        RunResult clean = await simulator.RunAsync(Setup(byzantine: 0));
        output.WriteLine($"poisoned: accuracy {poisoned.Final.TestAccuracy:F3}, ASR {poisoned.Final.AttackSuccessRate:F3}; " +
            $"clean: accuracy {clean.Final.TestAccuracy:F3}, ASR {clean.Final.AttackSuccessRate:F3}");

        Assert.True(poisoned.HasAttackSuccess && clean.HasAttackSuccess);
        Assert.True(poisoned.Final.AttackSuccessRate >= 0.9, $"ASR {poisoned.Final.AttackSuccessRate:F3} with one fully poisoned client of six under mean");
        Assert.True(clean.Final.AttackSuccessRate <= 0.1, $"ASR {clean.Final.AttackSuccessRate:F3} of a clean run");
        Assert.True(clean.Final.TestAccuracy >= 0.7, $"the clean run trains ({clean.Final.TestAccuracy:F3})");
    }

    [Fact]
    public async Task Dba_SameSeed_GivesTheSameEvaluationsWithOneOrTwoTrainers()
    {
        // Two Byzantine clients, each with its own local trigger; the success rate is measured with both.
        Assert.True(TestKit.TestKitInfo.HasFashionMnist, "Fashion-MNIST is not installed: run scripts/setup.sh");
        var results = new List<RunResult>();
        foreach (int trainers in new[] { 1, 2 })
        {
            await using var simulator = SimulatorSystem.Create(trainers: trainers, name: $"dba-{trainers}");
            results.Add(await simulator.RunAsync(Setup(2, "dba", new Dictionary<string, string>(), rounds: 3)));
        }

        Assert.True(results[0].HasAttackSuccess);
        Assert.Equal(results[0].Evaluations.Select(e => (e.TestAccuracy, e.TestLoss, e.AttackSuccessRate)),
            results[1].Evaluations.Select(e => (e.TestAccuracy, e.TestLoss, e.AttackSuccessRate)));
    }
}
