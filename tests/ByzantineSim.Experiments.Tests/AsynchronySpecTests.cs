using ByzantineSim.Simulator.Asynchrony;
using ByzantineSim.Simulator.Faults;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The <c>asynchrony</c> key: how it reads and renders, and its one-line errors.</summary>
public class AsynchronySpecTests
{
    [Fact]
    public void BufferLargerThanTheClients_IsAnErrorAtTheBuffer() =>
        Assert.Equal(
            ["spec.yaml:4:40: base.asynchrony.buffer: must be at most clients.n (a buffer holds updates of different clients' jobs; n=6, got 8)"],
            Errors("sweep: s\nbase:\n  clients: { n: 6, f: 0 }\n  asynchrony: { mode: fedbuff, buffer: 8 }\n"));

    [Fact]
    public void BufferTooSmallForTheRule_NamesTheRuleAndK() =>
        Assert.Equal(
            ["spec.yaml:5:40: base.asynchrony.buffer: must satisfy n > 2f + 2 for krum (the buffer plays the round's role: n=K=4, f=1)"],
            Errors("sweep: s\nbase:\n  clients: { n: 10, f: 1 }\n  aggregator: krum\n  asynchrony: { mode: fedbuff, buffer: 4 }\n  attack: sign-flip\n"));

    [Fact]
    public void FedAsyncWithARobustRule_SaysToUseFedBuff() =>
        Assert.Equal(
            ["spec.yaml:4:15: base.aggregator: must be mean without pre_aggregators for fedasync, which mixes each update alone (x_t = (1 - a) x_t-1 + a x_new); use mode: fedbuff to aggregate a buffer with median"],
            Errors("sweep: s\nbase:\n  clients: { n: 6, f: 0 }\n  aggregator: median\n  asynchrony: { mode: fedasync }\n"));

    [Fact]
    public void MissingAndMisplacedParameters_AreErrorsAtTheirPaths() =>
        Assert.Equal(
            [
                "spec.yaml:5:5: base.asynchrony: buffer is required for fedbuff: the number of updates K the server aggregates per step",
                "spec.yaml:5:5: base.asynchrony: byzantine_lag is required for byzantine_timing: stale (how many versions behind the newest the Byzantine clients craft from)",
                "spec.yaml:5:13: base.asynchrony.mixing: applies to fedasync only (fedbuff steps with training.learning_rate)",
                "spec.yaml:6:16: base.asynchrony.staleness: b is required (the staleness up to which hinge keeps weight 1)",
            ],
            Errors("sweep: s\nbase:\n  clients: { n: 6, f: 0 }\n  asynchrony:\n    mixing: 0.5\n    staleness: { name: hinge, a: 10 }\n    byzantine_timing: stale\n    mode: fedbuff\n"));

    [Fact]
    public void SettingsAnAsynchronousRunCannotHave_AreErrorsAtTheirPaths() =>
        Assert.Equal(
            [
                "spec.yaml:3:30: base.training.participation: must be 1 (every client trains all the time; the buffer decides who counts in a step) with asynchrony",
                "spec.yaml:6:11: base.attack: label-flip is not supported with asynchrony: it needs the Byzantine clients' own training, which asynchronous runs do not model; use an attack on the honest updates (sign-flip, alie, ipm, gaussian, ...)",
            ],
            Errors("sweep: s\nbase:\n  training: { participation: 0.5 }\n  clients: { n: 10, f: 1 }\n  asynchrony: { mode: fedbuff, buffer: 5 }\n  attack: label-flip\n"));

    [Fact]
    public void AsyncSpec_RendersOnlyTheKeysItsModeReads_AndReadsBackToTheSameText()
    {
        var plan = SweepLoader.Parse(
            "sweep: s\nbase:\n  seed: 7\n  clients: { n: 8, f: 1 }\n  attack: sign-flip\n" +
            "  asynchrony: { mode: fedasync, staleness: { name: hinge, a: 10, b: 4 }, compute: { delay: uniform, low: 1, high: 3, spread: 2 }, byzantine_timing: stale, byzantine_lag: 3 }\n",
            SpecFile);
        var run = Assert.Single(plan.Runs);
        string canonical = run.Spec.ToCanonicalYaml();
        Assert.Contains(
            "asynchrony:\n  mode: fedasync\n  mixing: 0.6\n  staleness:\n    name: hinge\n    a: 10\n    b: 4\n" +
            "  compute:\n    delay: uniform\n    low: 1\n    high: 3\n    spread: 2\n  latency:\n    delay: constant\n    mean: 0\n    spread: 1\n" +
            "  byzantine_timing: stale\n  byzantine_lag: 3\n  seed: 7\ndevice: cpu\n",
            canonical,
            StringComparison.Ordinal);
        Assert.Equal(
            new AsynchronySettings(AsyncMode.FedAsync, 1, 0.6, new StalenessFunction(StalenessKind.Hinge, 10, 4), new DelayDistribution(DelayKind.Uniform, 0, 1, 3), new DelayDistribution(DelayKind.Constant, 0, 0, 0), 7)
            {
                ComputeSpread = 2,
                ByzantineTiming = ByzantineTiming.Stale,
                ByzantineLag = 3,
            },
            run.Setup.Asynchrony);
        Assert.Equal(canonical, SweepLoader.ParseRun(run.Id, canonical, []).Spec.ToCanonicalYaml());
    }

    [Fact]
    public void SynchronousSpec_HasNoAsynchronyInItsCanonicalYaml()
    {
        var run = Assert.Single(SweepLoader.Parse("sweep: s\nbase:\n  clients: { n: 8, f: 1 }\n", SpecFile).Runs);
        Assert.DoesNotContain("asynchrony", run.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.Null(run.Setup.Asynchrony);
    }
}
