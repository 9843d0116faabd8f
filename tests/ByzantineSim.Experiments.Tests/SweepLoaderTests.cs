namespace ByzantineSim.Experiments.Tests;

public class SweepLoaderTests
{
    private const string Spec = """
        sweep: demo
        base:
          clients: { n: 12, f: 2 }
          aggregator: krum
        grid:
          aggregator: [mean, cge]
          attack: [none, { name: gaussian, sigma: 200 }]
          seed: [1, 2]
        cases:
          - { aggregator: { name: krum, neighbours: 5 }, attack: alie }
        """;

    [Fact]
    public void Grid_ExpandsToEveryCombinationPlusCases()
    {
        var plan = SweepLoader.Parse(Spec, "demo.yaml");
        Assert.Equal(2 * 2 * 2 + 1, plan.Runs.Length);
        Assert.Equal(["aggregator", "attack", "seed"], plan.Axes.ToArray());
        Assert.Equal("mean-none-1-", plan.Runs[0].Id[..12]);
        Assert.Equal(["mean", "none", "2"], plan.Runs[1].Labels.Select(l => l.Value));
        Assert.Equal("gaussian(sigma=200)", plan.Runs[2].Labels[1].Value);
        Assert.Equal("krum(neighbours=5)", plan.Runs[^1].Labels[0].Value);
    }

    [Fact]
    public void RunIds_AreStable_AndChangeOnlyWithTheRun()
    {
        var first = SweepLoader.Parse(Spec, "demo.yaml").Runs.Select(r => r.Id).ToList();
        var again = SweepLoader.Parse(Spec, "demo.yaml").Runs.Select(r => r.Id).ToList();
        Assert.Equal(first, again);
        var changed = SweepLoader.Parse(Spec.Replace("sigma: 200", "sigma: 100", StringComparison.Ordinal), "demo.yaml").Runs.Select(r => r.Id).ToList();
        Assert.Equal(4, first.Count - changed.Intersect(first).Count()); // the gaussian runs: 2 aggregators x 2 seeds
    }

    [Fact]
    public void EquivalentNumbers_GiveTheSameId()
    {
        string a = SweepLoader.Parse("sweep: s\nbase:\n  attack: { name: gaussian, sigma: 200 }\n", "a").Runs[0].Spec.Hash();
        string b = SweepLoader.Parse("sweep: s\nbase:\n  attack: { name: gaussian, sigma: 2.0e2 }\n", "b").Runs[0].Spec.Hash();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Defaults_AreFilledIn()
    {
        var spec = SweepLoader.Parse("sweep: s\n", "s.yaml").Runs.Single().Spec;
        Assert.Equal("synthetic", spec.Data.Name);
        Assert.Equal("mean", spec.Aggregator.Name);
        Assert.Equal(RunReader.Defaults.Rounds, spec.Training.Rounds);
        Assert.Contains("aggregator:\n  name: mean\n", spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void AxisIntoPluginGivenByName_SetsItsOption()
    {
        var plan = SweepLoader.Parse("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  aggregator: krum\ngrid:\n  aggregator.neighbours: [3, 4]\n", "s.yaml");
        Assert.Equal(["3", "4"], plan.Runs.Select(r => r.Spec.Aggregator.Options["neighbours"]));
        Assert.All(plan.Runs, r => Assert.Equal("krum", r.Spec.Aggregator.Name));
    }

    [Fact]
    public void Faults_AreReadAndEnterTheCanonicalSpec()
    {
        var spec = SweepLoader.Parse(
            "sweep: s\nbase:\n  server: { deadline: 2 }\n  faults:\n    crash: { clients: [1], from_round: 2 }\n" +
            "    stragglers: { fraction: 0.5, delay: uniform, low: 0.5, high: 3 }\n    message_loss: 0.1\n",
            "s.yaml").Runs.Single().Spec;
        Assert.Equal(2, spec.DeadlineSeconds);
        Assert.Equal([1], spec.Faults.Crash!.Clients.ToArray());
        Assert.Equal(0.1, spec.Faults.MessageLoss);
        Assert.EndsWith(
            "  round_timeout: 60\n  deadline: 2\nfaults:\n  crash:\n    clients: [1]\n    from_round: 2\n" +
            "  stragglers:\n    fraction: 0.5\n    delay: uniform\n    low: 0.5\n    high: 3\n  message_loss: 0.1\ndevice: cpu\n",
            spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void NoFaults_CanonicalSpecHasNeitherFaultsNorDeadline_SoOlderRunIdsHold()
    {
        string canonical = SweepLoader.Parse("sweep: s\n", "s.yaml").Runs.Single().Spec.ToCanonicalYaml();
        Assert.EndsWith("server:\n  non_finite: pass\n  round_timeout: 60\ndevice: cpu\n", canonical, StringComparison.Ordinal);
        Assert.DoesNotContain("faults", canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void BatchSize_LargerThanEveryClientsData_IsValid_AsDocumented()
    {
        // 100 training samples over 10 clients: 10 each, batch 64. docs/experiments.md: a full-batch
        // step, not an error (a client's share is only known once the data are partitioned).
        var spec = SweepLoader.Parse("sweep: s\nbase:\n  data: { name: synthetic, train_size: 100 }\n  training: { batch_size: 64 }\n", "s.yaml").Runs.Single().Spec;
        Assert.Equal(64, spec.Training.BatchSize);
    }

    [Fact]
    public void LabelFlip_GetsTheClassesOfTheDataSet()
    {
        var plan = SweepLoader.Parse("sweep: s\nbase:\n  data: { name: synthetic, classes: 3 }\n  clients: { n: 5, f: 1 }\n  attack: label-flip\n", "s.yaml");
        Assert.Equal("label-flip", plan.Runs.Single().Spec.Attack.Name);
    }

    [Fact]
    public void ParseRun_NonCanonicalText_IsRefused()
    {
        var run = SweepLoader.Parse(Spec, "demo.yaml").Runs[0];
        string reordered = run.Spec.ToCanonicalYaml().Replace("device: cpu\n", "", StringComparison.Ordinal);
        Assert.NotEqual(run.Spec.ToCanonicalYaml(), reordered);

        var error = Assert.Throws<InvalidDataException>(() => SweepLoader.ParseRun(run.Id, reordered, run.Labels));
        Assert.Contains("does not round-trip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Privacy_ClipZeroWithNoise_IsAnError_ButBothZeroMeansOff()
    {
        var off = SweepLoader.Parse("sweep: p\nbase:\n  privacy: { clip: 0, noise_multiplier: 0 }\n", "p.yaml").Runs[0];
        Assert.Equal(SweepLoader.Parse("sweep: p\n", "p.yaml").Runs[0].Spec.Hash(), off.Spec.Hash());

        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse("sweep: p\nbase:\n  privacy: { clip: 0, noise_multiplier: 1 }\n", "p.yaml"));
        Assert.Contains("p.yaml:3:20: base.privacy.clip: must be > 0 when noise is added", error.Message, StringComparison.Ordinal);
    }
}
