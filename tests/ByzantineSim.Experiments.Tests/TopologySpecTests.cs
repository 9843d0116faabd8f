using ByzantineSim.Simulator.Peers;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The <c>topology</c> key: how it reads, renders, and the one-line errors of a graph peers cannot train on.</summary>
public class TopologySpecTests
{
    [Fact]
    public void DisconnectedGraph_IsAnError_AtTheTopology()
    {
        Assert.Equal(
            ["spec.yaml:4:13: base.topology: the erdos-renyi graph on 30 peers is disconnected (seed 0); raise p or k, or change topology.seed"],
            Errors("sweep: s\nbase:\n  clients: { n: 30, f: 0 }\n  topology: { name: erdos-renyi, p: 0.01 }\n"));
    }

    [Fact]
    public void HonestPeersCutApartByByzantinePeers_IsAnError()
    {
        Assert.Equal(
            ["spec.yaml:4:13: base.topology: the honest peers of the ring graph are disconnected once its 2 Byzantine peers are removed, so they cannot agree; use fewer Byzantine peers or a denser graph"],
            Errors("sweep: s\nbase:\n  clients: { n: 8, f: 2 }\n  topology: { name: ring }\n  attack: sign-flip\n"));
    }

    [Fact]
    public void LocalRuleFailingInAPeersNeighbourhood_NamesThePeer()
    {
        // Ring of 8, one Byzantine peer: honest peers 0 and 6 have one Byzantine neighbour, so krum is
        // bound with f = 1 and needs n > 4, but every neighbourhood is 3 models.
        Assert.Equal(
            ["spec.yaml:5:15: base.aggregator: must satisfy n > 2f + 2 for krum at peer 0 of the ring graph (n=3: its own model and 2 neighbours', f=1: the most Byzantine neighbours of an honest peer); use a denser graph, fewer Byzantine peers, or aggregator: clipped-gossip"],
            Errors("sweep: s\nbase:\n  clients: { n: 8, f: 1 }\n  topology: { name: ring }\n  aggregator: krum\n  attack: sign-flip\n"));
    }

    [Fact]
    public void SettingsAPeerToPeerRunCannotHave_AreErrorsAtTheirPaths()
    {
        Assert.Equal(
            [
                "spec.yaml:3:30: base.training.participation: must be 1 with a topology (peer-to-peer runs)",
                "spec.yaml:5:11: base.attack: bit-flip is not supported with a topology (peer-to-peer runs): it needs the Byzantine peers' own training or the rule it attacks, which peers do not model; use an attack on the honest models (sign-flip, alie, ipm, gaussian, dissensus, ...)",
            ],
            Errors("sweep: s\nbase:\n  training: { participation: 0.5 }\n  topology: { name: complete }\n  attack: bit-flip\n  clients: { n: 10, f: 1 }\n"));
    }

    [Fact]
    public void UnknownTopologyName_ListsTheNames() =>
        Assert.Equal(
            ["spec.yaml:3:21: base.topology.name: must be ring or torus or complete or erdos-renyi or random-regular or exponential or time-varying or dumbbell (got star)"],
            Errors("sweep: s\nbase:\n  topology: { name: star }\n"));

    [Fact]
    public void TopologySpec_RendersOnlyTheKeysItsGraphReads_AndReadsBackToTheSameText()
    {
        var plan = SweepLoader.Parse(
            "sweep: s\nbase:\n  seed: 7\n  clients: { n: 16, f: 1 }\n  attack: dissensus\n  aggregator: { name: clipped-gossip, clip_radius: 0.5 }\n  topology: { name: erdos-renyi, p: 0.5 }\n", SpecFile);
        var run = Assert.Single(plan.Runs);
        string canonical = run.Spec.ToCanonicalYaml();
        Assert.Contains("aggregator:\n  name: clipped-gossip\n  clip_radius: 0.5\n", canonical, StringComparison.Ordinal);
        Assert.Contains("topology:\n  name: erdos-renyi\n  p: 0.5\n  seed: 7\ndevice: cpu\n", canonical, StringComparison.Ordinal);
        Assert.Equal(new TopologySettings(TopologyKind.ErdosRenyi, 7) { Probability = 0.5, Mixing = PeerMixing.ClippedGossip, ClipRadius = 0.5 }, run.Setup.Topology);
        Assert.Equal(canonical, SweepLoader.ParseRun(run.Id, canonical, []).Spec.ToCanonicalYaml());
    }

    [Fact]
    public void ClippedGossip_WithoutATopology_SaysWhy() =>
        Assert.Equal(
            ["spec.yaml:3:15: base.aggregator: clipped-gossip is a peer-to-peer mixing rule: it needs a topology (e.g. topology: {name: ring})"],
            Errors("sweep: s\nbase:\n  aggregator: clipped-gossip\n"));

    [Fact]
    public void StarSpec_HasNoTopologyInItsCanonicalYaml()
    {
        var run = Assert.Single(SweepLoader.Parse("sweep: s\nbase:\n  seed: 7\n", SpecFile).Runs);
        Assert.DoesNotContain("topology", run.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.Null(run.Setup.Topology);
    }
}
