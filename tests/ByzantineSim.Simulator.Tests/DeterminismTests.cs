namespace ByzantineSim.Simulator.Tests;

/// <summary>Results are a pure function of the spec and seed: repeatable, and independent of the trainer pool size.</summary>
public class DeterminismTests
{
    private static async Task<RunResult> Run(int trainers, ulong seed = 5)
    {
        await using var simulator = SimulatorSystem.Create(trainers, $"determinism-{trainers}");
        var attack = BuiltInAttacks.Create("alie", new AttackPopulation(9, 2));
        return await simulator.RunAsync(TinyRun.Setup("centered-clipping", attack, rounds: 12, seed: seed, aggregatorOptions: new() { ["tau"] = "0.5" }));
    }

    private static object Deterministic(RunResult result) => (
        string.Join(";", result.Rounds.Select(r => $"{r.Round},{r.TrainLoss:R},{r.Aggregated},{r.Rejected},{r.Missing}")),
        string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TrainLoss:R},{e.TestAccuracy:R},{e.TestLoss:R}")));

    [Fact]
    public async Task SameSetupTwice_IdenticalRecords() =>
        Assert.Equal(Deterministic(await Run(2)), Deterministic(await Run(2)));

    [Fact]
    public async Task OneOrTwoTrainers_IdenticalRecords() =>
        Assert.Equal(Deterministic(await Run(1)), Deterministic(await Run(2)));

    [Fact]
    public async Task FaultsAndStatefulAttack_OneOrTwoTrainers_IdenticalRecords()
    {
        static async Task<object> RunWithFaults(int trainers)
        {
            await using var simulator = SimulatorSystem.Create(trainers, $"determinism-faults-{trainers}");
            var faults = new Faults.FaultSettings(
                new Faults.CrashFaults([], 1, 4),
                new Faults.StragglerFaults([], 0.3, new Faults.DelayDistribution(Faults.DelayKind.Exponential, 1, 0, 0)),
                0.1);
            var attack = BuiltInAttacks.Create("mimic", new AttackPopulation(9, 2), new Dictionary<string, string> { ["warmup"] = "3" });
            var result = await simulator.RunAsync(TinyRun.Setup("krum", attack, rounds: 10, seed: 8, faults: faults, deadline: 1.2));
            return (Deterministic(result), string.Join(";", result.Rounds.Select(r => $"{r.Crashed},{r.Lost},{r.Straggled},{r.SimulatedSeconds:R}")));
        }

        Assert.Equal(await RunWithFaults(1), await RunWithFaults(2));
    }

    [Fact]
    public async Task DifferentSeed_DifferentRecords() =>
        Assert.NotEqual(Deterministic(await Run(2, seed: 5)), Deterministic(await Run(2, seed: 6)));
}
