using ByzantineSim.Simulator.Peers;

namespace ByzantineSim.Experiments.Tests;

/// <summary><c>aggregator: bristle</c> and <c>topology.transfer</c>: how they read, render and fail.</summary>
public class BristleSpecTests
{
    [Fact]
    public void Bristle_WithoutTransfer_SaysWhatItNeeds() =>
        Assert.Equal(
            ["spec.yaml:5:15: base.aggregator: bristle integrates output layers over frozen pretrained layers: it needs topology.transfer (e.g. topology: {name: complete, transfer: {samples: 3000}})"],
            Errors("sweep: s\nbase:\n  clients: { n: 8, f: 1 }\n  topology: { name: complete }\n  aggregator: bristle\n  attack: sign-flip\n"));

    [Fact]
    public void Transfer_OnAModelWithoutHiddenLayers_IsAnError_AndBristleOptionsAreChecked()
    {
        Assert.Equal(
            [
                "spec.yaml:3:10: base.model: topology.transfer freezes the layers before a linear output layer, which logistic does not have; use model: {name: mlp, hidden: [64]}",
                "spec.yaml:6:39: base.aggregator.alpha: must be in [0, 1] (got 1.5)",
            ],
            Errors("sweep: s\nbase:\n  model: logistic\n  clients: { n: 8, f: 1 }\n  topology: { name: complete, transfer: { samples: 100 } }\n  aggregator: { name: bristle, alpha: 1.5 }\n  attack: sign-flip\n"));
    }

    [Fact]
    public void BristleSpec_ReadsItsOptionsAndTransfer_AndRendersThemBackToTheSameText()
    {
        var plan = SweepLoader.Parse(
            "sweep: s\nbase:\n  seed: 3\n  model: { name: mlp, hidden: [16] }\n  clients: { n: 8, f: 1 }\n  attack: sign-flip\n" +
            "  aggregator: { name: bristle, alpha: 0.5, candidates: 4 }\n  topology: { name: complete, transfer: { samples: 500, epochs: 1 } }\n", SpecFile);
        var run = Assert.Single(plan.Runs);
        string canonical = run.Spec.ToCanonicalYaml();
        Assert.Contains("aggregator:\n  name: bristle\n  alpha: 0.5\n  candidates: 4\n", canonical, StringComparison.Ordinal);
        Assert.Contains("topology:\n  name: complete\n  seed: 3\n  transfer:\n    samples: 500\n    epochs: 1\n    learning_rate: 0.1\n    batch_size: 32\n    seed: 3\ndevice: cpu\n", canonical, StringComparison.Ordinal);
        Assert.Equal(
            new TopologySettings(TopologyKind.Complete, 3) { Mixing = PeerMixing.Bristle, Bristle = new BristleSettings(0.5, 4, 100), Transfer = new TransferSettings(500, 1, 0.1, 32, 3) },
            run.Setup.Topology);
        Assert.Equal(canonical, SweepLoader.ParseRun(run.Id, canonical, []).Spec.ToCanonicalYaml());
    }

    [Fact]
    public void SharedClasses_RendersOnlyWhenTrue_SoRunIdsWithoutItAreUnchanged()
    {
        static (string Canonical, string Id, BristleSettings Settings) Read(string option)
        {
            var run = Assert.Single(SweepLoader.Parse(
                "sweep: s\nbase:\n  model: { name: mlp, hidden: [16] }\n  clients: { n: 8, f: 1 }\n  attack: sign-flip\n" +
                $"  aggregator: {{ name: bristle{option} }}\n  topology: {{ name: complete, transfer: {{ samples: 500 }} }}\n", SpecText.SpecFile).Runs);
            return (run.Spec.ToCanonicalYaml(), run.Id, run.Setup.Topology!.Bristle!);
        }

        var plain = Read("");
        var off = Read(", shared_classes: false");
        var on = Read(", shared_classes: true");
        Assert.False(plain.Settings.SharedClasses);
        Assert.False(off.Settings.SharedClasses);
        Assert.True(on.Settings.SharedClasses);
        Assert.Equal(plain.Canonical, off.Canonical);
        Assert.Equal(plain.Id, off.Id);
        Assert.DoesNotContain("shared_classes", plain.Canonical, StringComparison.Ordinal);
        Assert.Contains("aggregator:\n  name: bristle\n  shared_classes: true\n", on.Canonical, StringComparison.Ordinal);
        Assert.NotEqual(plain.Id, on.Id);
        Assert.Equal(on.Canonical, SweepLoader.ParseRun(on.Id, on.Canonical, []).Spec.ToCanonicalYaml());
    }

    [Fact]
    public void SharedClasses_NotABoolean_IsAnErrorAtItsPath() =>
        Assert.Contains(
            "base.aggregator.shared_classes: expected",
            Assert.Single(Errors("sweep: s\nbase:\n  model: { name: mlp, hidden: [16] }\n  clients: { n: 8, f: 1 }\n  topology: { name: complete, transfer: { samples: 100 } }\n  aggregator: { name: bristle, shared_classes: 3 }\n  attack: sign-flip\n")),
            StringComparison.Ordinal);
}

