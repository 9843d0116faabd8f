using System.Collections.Concurrent;

namespace ByzantineSim.Simulator.Tests;

/// <summary>One simulator for the effectiveness tests, and each no-attack baseline run once.</summary>
public sealed class EffectivenessFixture() : SimulatorFixture("effectiveness")
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RunResult>>> _runs = new(StringComparer.Ordinal);

    public Task<RunResult> Run(string key, Func<Setup.RunSetup> setup) =>
        _runs.GetOrAdd(key, _ => new Lazy<Task<RunResult>>(() => Simulator.RunAsync(setup()))).Value;
}

/// <summary>
/// Each attack against the rule it was designed to beat, on small synthetic problems (a second
/// or two per run, fixed seeds): the final test accuracy must drop by a clear margin below the
/// same run without attack (where the Byzantine clients train honestly). No timing is asserted.
/// </summary>
public sealed class AttackEffectivenessTests(EffectivenessFixture fixture) : IClassFixture<EffectivenessFixture>
{
    /// <summary>Ten classes, 32 features, an MLP with 32 hidden units, batches of 8: enough parameters for distance-based attacks to matter.</summary>
    private static readonly Dictionary<string, string> RichData = new()
    {
        ["classes"] = "10", ["features"] = "32", ["train_size"] = "4000", ["test_size"] = "1000", ["seed"] = "11",
    };

    private static IAttack Attack(string name, int honest, int byzantine, Dictionary<string, string>? options = null) =>
        BuiltInAttacks.Create(name, new AttackPopulation(honest + byzantine, byzantine, Classes: 10), options);

    private Task<double> Small(string rule, string attack, int honest, int byzantine, int rounds, double momentum = 0.5,
        IPartitioner? partitioner = null, Dictionary<string, string>? options = null) =>
        Accuracy($"small/{rule}/{attack}/{honest}/{byzantine}/{rounds}/{momentum}/{partitioner?.Name}/{Text(options)}",
            () => TinyRun.Setup(rule, Attack(attack, honest, byzantine, options), honest, byzantine, rounds,
                partitioner: partitioner, workerMomentum: momentum));

    private Task<double> Rich(string rule, string attack, double learningRate, Dictionary<string, string>? options = null) =>
        Accuracy($"rich/{rule}/{attack}/{learningRate}/{Text(options)}",
            () => TinyRun.Setup(rule, Attack(attack, 20, 8, options), 20, 8, 100, workerMomentum: 0, learningRate: learningRate,
                data: RichData, hidden: 32, batchSize: 8));

    private async Task<double> Accuracy(string key, Func<Setup.RunSetup> setup) => (await fixture.Run(key, setup)).Final.TestAccuracy;

    private static string Text(Dictionary<string, string>? options) =>
        options is null ? "" : string.Join(",", options.Select(o => $"{o.Key}={o.Value}"));

    private static void AssertDrop(double baseline, double attacked, double margin, string what) =>
        Assert.True(attacked <= baseline - margin, $"{what}: accuracy {attacked:F3} under attack vs {baseline:F3} without; expected a drop of at least {margin}");

    [Fact]
    public async Task SignFlip_AgainstMean_LowersAccuracy() =>
        // f = 4 of 9: the mean moves by only (5 - 4) / 9 of the honest mean.
        AssertDrop(await Small("mean", "none", 5, 4, 15), await Small("mean", "sign-flip", 5, 4, 15), 0.2, "sign-flip vs mean");

    [Fact]
    public async Task IpmLargeEps_AgainstMean_LowersAccuracy() =>
        // eps = 10, f = 2 of 9: the mean becomes (7 - 20) / 9 of the honest mean, an ascent step.
        AssertDrop(await Small("mean", "none", 7, 2, 15), await Small("mean", "ipm", 7, 2, 15, options: new() { ["eps"] = "10" }), 0.2, "ipm vs mean");

    [Fact]
    public async Task Mimic_AgainstKrumOnNonIidData_LowersAccuracy()
    {
        var skewed = new DirichletPartitioner(0.3, 5);
        AssertDrop(
            await Small("krum", "none", 15, 5, 20, momentum: 0, partitioner: skewed),
            await Small("krum", "mimic", 15, 5, 20, momentum: 0, partitioner: skewed),
            0.2,
            "mimic vs krum, dirichlet(0.3)");
    }

    [Fact]
    public async Task MinMax_AgainstKrumWithoutMomentum_LowersAccuracy() =>
        AssertDrop(await Rich("krum", "none", 0.1), await Rich("krum", "min-max", 0.1), 0.3, "min-max vs krum");

    [Fact]
    public async Task MinMax_AgainstMedian_LowersAccuracy() =>
        AssertDrop(await Rich("median", "none", 0.1), await Rich("median", "min-max", 0.1), 0.3, "min-max vs median");

    [Fact]
    public async Task Alie_AgainstMedianWithoutMomentum_LowersAccuracy() =>
        // On this low-dimensional problem ALIE's shifted mean is still a fair gradient at small
        // steps (against krum it even helps: krum then picks a mean-like vector instead of one
        // client's); its consistent -z * std bias costs accuracy at a large learning rate. The
        // margin is therefore modest; min-max and opt-alie below show the large drops.
        AssertDrop(await Rich("median", "none", 0.5), await Rich("median", "alie", 0.5), 0.03, "alie vs median");

    [Fact]
    public async Task OptimalAlie_AgainstKrum_LowersAccuracyAndBeatsTheFixedFactor()
    {
        double none = await Rich("krum", "none", 0.1);
        double optimal = await Rich("krum", "opt-alie", 0.1);
        AssertDrop(none, optimal, 0.15, "opt-alie vs krum");
        Assert.True(optimal <= await Rich("krum", "alie", 0.1), "the line search should do at least as much damage as ALIE's fixed z");
    }
}
