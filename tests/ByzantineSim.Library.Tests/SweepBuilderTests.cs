using System.Runtime.CompilerServices;
using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Library.Tests;

public class SweepBuilderTests
{
    private const string Yaml = """
        sweep: built
        description: the builder's twin
        base:
          data: { name: synthetic, classes: 4, features: 8, train_size: 600, test_size: 200 }
          model: { name: mlp, hidden: [8] }
          clients: { n: 7, f: 1 }
          training: { rounds: 4, batch_size: 16, learning_rate: 0.2, eval_every: 2 }
        grid:
          aggregator: [median, { name: krum, neighbours: 3 }]
          attack: [sign-flip, { name: gaussian, sigma: 200 }]
          seed: [1, 2]
        """;

    private static Sweep Built() => Sweep.Create("built")
        .Describe("the builder's twin")
        .Set("data", Plugin.Of("synthetic", ("classes", 4), ("features", 8), ("train_size", 600), ("test_size", 200)))
        .Set("model.name", "mlp")
        .Set("model.hidden", new[] { 8 })
        .Set("clients.n", 7)
        .Set("clients.f", 1)
        .Set("training", new Dictionary<string, object?> { ["rounds"] = 4, ["batch_size"] = 16, ["learning_rate"] = 0.2, ["eval_every"] = 2 })
        .Grid("aggregator", ["median", Plugin.Of("krum", ("neighbours", 3))])
        .Grid("attack", ["sign-flip", Plugin.Of("gaussian", ("sigma", 200))])
        .Seeds([1, 2])
        .Build();

    private static int Here([CallerLineNumber] int line = 0) => line;

    [Fact]
    public void Build_SameSettingsAsAYamlFile_SameRunsInTheSameOrder()
    {
        var fromYaml = Sweep.Parse(Yaml);
        var built = Built();
        Assert.Equal(8, fromYaml.RunCount);
        Assert.Equal(fromYaml.Plan.Runs.Select(r => r.Id), built.Plan.Runs.Select(r => r.Id));
        Assert.Equal(fromYaml.Plan.Runs.Select(r => r.Spec.ToCanonicalYaml()), built.Plan.Runs.Select(r => r.Spec.ToCanonicalYaml()));
        Assert.Equal(fromYaml.Axes, built.Axes);
        Assert.Equal("the builder's twin", built.Description);
    }

    [Fact]
    public void Yaml_OfABuiltSweep_ReadsBackAsTheSameSweep()
    {
        var built = Built();
        var reread = Sweep.Parse(built.Yaml);
        Assert.Equal(built.Plan.Runs.Select(r => r.Id), reread.Plan.Runs.Select(r => r.Id));
    }

    [Fact]
    public void Build_UnknownAggregator_ErrorNamesTheCallSiteAndTheYamlPath()
    {
        int line = Here(); var error = Assert.Throws<SpecException>(() => Sweep.Create("bad").Set("clients.n", 7).Grid("aggregator", ["median", "krun"]).Build());
        Assert.Equal(
            $"SweepBuilderTests.cs: 1 problem:{Environment.NewLine}  - SweepBuilderTests.cs:{line}:1: grid.aggregator[1]: unknown aggregator 'krun' (did you mean 'krum'?)",
            error.Message[..error.Message.IndexOf("; known:", StringComparison.Ordinal)]);
    }

    [Fact]
    public void Build_SameMistakesAsAYamlFile_SameMessagesAfterTheLocation()
    {
        const string bad = """
            sweep: bad
            base:
              clients: { n: 6, f: 3 }
              training: { rounds: 0 }
              aggregator: { name: krum, neigbours: 2 }
            """;
        var fromYaml = Assert.Throws<SpecException>(() => Sweep.Parse(bad, "bad.yaml"));
        var fromCode = Assert.Throws<SpecException>(() => Sweep.Create("bad")
            .Set("clients", new Dictionary<string, object?> { ["n"] = 6, ["f"] = 3 })
            .Set("training.rounds", 0)
            .Set("aggregator", Plugin.Of("krum", ("neigbours", 2)))
            .Build());
        static IEnumerable<string> Messages(SpecException e) => e.Errors.Select(x => $"{x.Path}: {x.Message}").Order(StringComparer.Ordinal);
        Assert.True(fromYaml.Errors.Length >= 3, fromYaml.Message);
        Assert.Equal(Messages(fromYaml), Messages(fromCode));
        Assert.All(fromCode.Errors, e => Assert.Equal("SweepBuilderTests.cs", e.Location.File));
    }

    [Fact]
    public void Build_ValueOfAnUnsupportedType_ThrowsNamingTheCallSite()
    {
        int line = Here(); var error = Assert.Throws<ArgumentException>(() => Sweep.Create("bad").Set("seed", new object()));
        Assert.StartsWith($"SweepBuilderTests.cs:{line}:1: a spec value must be a string, number, bool, list or mapping", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_Setting_AppliesToEveryRun()
    {
        var quick = Built().With("training.rounds=2");
        Assert.All(quick.Plan.Runs, r => Assert.Equal(2, r.Spec.Training.Rounds));
        Assert.All(Built().Plan.Runs, r => Assert.Equal(4, r.Spec.Training.Rounds));
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => Sweep.Load(Path.Combine(Path.GetTempPath(), "no-such-byzsim-spec.yaml")));
    }
}
