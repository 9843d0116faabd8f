using System.Collections.Immutable;
using ByzantineSim.Aggregators.Gossip;
using ByzantineSim.Attacks.Gaussian;
using ByzantineSim.Attacks.SignFlip;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Peers;

namespace ByzantineSim.Simulator.Tests.Peers;

/// <summary>
/// Bristle in a peer network: with transfer learning only the output layer is trained and
/// exchanged, the frozen layers never move (whatever the Byzantine peer sends), and whole runs
/// are the same whatever the number of trainers.
/// </summary>
public class BristleNetworkTests
{
    // TinyRun's mlp(hidden=[8]) on 8 features and 4 classes: 8*8 + 8 = 72 frozen values, then 4*8 + 4 = 36 output values.
    private const int Frozen = 72, Output = 36, D = Frozen + Output;

    private static BristleEvaluationSet OwnSamples(int peer)
    {
        var random = new DeterministicRandom((ulong)peer + 1);
        var features = Enumerable.Range(0, 16 * 8).Select(_ => random.NextSingle()).ToArray();
        return new BristleEvaluationSet(features, [.. Enumerable.Range(0, 16).Select(i => i % 4)], 8, 4);
    }

    // The same samples with peer p's labels all p % 4: peers share their one class only with peers p +- 4.
    private static BristleEvaluationSet OneClass(int peer)
    {
        var random = new DeterministicRandom((ulong)peer + 1);
        var features = Enumerable.Range(0, 16 * 8).Select(_ => random.NextSingle()).ToArray();
        return new BristleEvaluationSet(features, [.. Enumerable.Repeat(peer % 4, 16)], 8, 4);
    }

    private static PeerNetwork Network(Attacks.IAttack attack, bool sharedClasses = false, Func<int, BristleEvaluationSet>? samples = null)
    {
        var setup = TinyRun.Setup("mean", attack, honest: 7, byzantine: 1, workerMomentum: 0, learningRate: 0.1) with
        {
            Topology = new TopologySettings(TopologyKind.Complete, 1) { Mixing = PeerMixing.Bristle, Bristle = new BristleSettings(0.4, 10, 16, sharedClasses) },
        };
        var transfer = new TransferredModel(Frozen, 8, 4, [.. Enumerable.Range(0, 7).Select(samples ?? OwnSamples)]);
        var initial = Enumerable.Range(0, D).Select(k => (float)Math.Sin(k)).ToArray();
        return new PeerNetwork(setup, initial, id => new ClientState(id, [.. Enumerable.Range(0, 32)], (ulong)id, null), transfer);
    }

    [Fact]
    public void FrozenLayers_AreUnchangedAfterTraining_AndOnlyTheOutputLayerIsSent()
    {
        var network = Network(new GaussianAttack(new GaussianOptions(0, 100, false)));
        var initial = Enumerable.Range(0, D).Select(k => (float)Math.Sin(k)).ToArray();
        for (int round = 0; round < 3; round++)
        {
            for (int p = 0; p < 7; p++)
            {
                var gradient = Enumerable.Range(0, D).Select(k => (float)(((k * 7) + p + round) % 5) - 2f).ToArray();
                network.LocalStep(p, round, VectorPayload.TakeOwnership(gradient), loss: 1);
            }

            var record = network.Exchange(round);
            Assert.Equal(32L * Output * 7 * 7, record.BitsSent); // what the 7 honest peers receive: 7 messages of 36 floats each
        }

        Assert.Equal(Output, network.Received(7, 0)!.Length);
        for (int p = 0; p < 7; p++)
        {
            Assert.Equal(initial[..Frozen], network.Model(p)[..Frozen].ToArray());
            Assert.NotEqual(initial[Frozen..], network.Model(p)[Frozen..].ToArray());
            Assert.All(network.Model(p).ToArray(), v => Assert.True(float.IsFinite(v)));
        }
    }

    // Two rounds of the same local steps and exchanges; every honest peer's model after them.
    private static float[][] TwoRounds(PeerNetwork network)
    {
        for (int round = 0; round < 2; round++)
        {
            for (int p = 0; p < 7; p++)
            {
                var gradient = Enumerable.Range(0, D).Select(k => (float)(((k * 7) + p + round) % 5) - 2f).ToArray();
                network.LocalStep(p, round, VectorPayload.TakeOwnership(gradient), loss: 1);
            }

            network.Exchange(round);
        }

        return [.. Enumerable.Range(0, 7).Select(p => network.Model(p).ToArray())];
    }

    [Fact]
    public void SharedClasses_EveryClassShared_IsTheDefaultIntegration_ButDisjointClassesChangeIt()
    {
        // Every peer's samples hold all 4 classes, and a Byzantine sender counts as sharing all:
        // every sender is scored on every class, exactly as without the option.
        var attack = new GaussianAttack(new GaussianOptions(0, 1, false));
        Assert.Equal(TwoRounds(Network(attack)), TwoRounds(Network(attack, sharedClasses: true)));

        // One class per peer: senders of another class are now scored on no class (weight 0)
        // instead of on the peer's one class, so the mixed models differ.
        var plain = TwoRounds(Network(attack, samples: OneClass));
        var shared = TwoRounds(Network(attack, sharedClasses: true, samples: OneClass));
        Assert.NotEqual(plain, shared);
        Assert.All(shared, m => Assert.All(m, v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void BristleWeights_OneRecordPerSelectedSender_FlaggedByzantineExactlyForPeerSeven()
    {
        var network = Network(new GaussianAttack(new GaussianOptions(0, 100, false)));
        TwoRounds(network);
        var records = network.BristleWeights;

        // N = 10 candidates among 7 neighbours: every neighbour is selected, every round, for every peer.
        Assert.Equal(2 * 7 * 7, records.Count);
        Assert.Equal(
            [.. from round in Enumerable.Range(0, 2) from peer in Enumerable.Range(0, 7) select (round, peer)],
            records.Select(r => (r.Round, r.Peer)).Distinct());
        Assert.All(records.GroupBy(r => (r.Round, r.Peer)), g => Assert.Equal(Enumerable.Range(0, 8).Where(j => j != g.Key.Peer).Order(), g.Select(r => r.Sender).Order()));
        Assert.All(records, r => Assert.Equal(r.Sender == 7, r.Byzantine));
        Assert.All(records, r => Assert.InRange(r.Weight.ForeignWeight, 0, 6)); // s() is at most 6, certainty at most 1
    }

    [Fact]
    public void Bristle_WithoutEvaluationSamples_IsRefused()
    {
        var setup = TinyRun.Setup("mean", new SignFlipAttack(), honest: 7, byzantine: 1) with
        {
            Topology = new TopologySettings(TopologyKind.Complete, 1) { Mixing = PeerMixing.Bristle, Bristle = new BristleSettings(0.4, 10, 16) },
        };
        Assert.Throws<ArgumentException>(() => new PeerNetwork(setup, new float[D], id => new ClientState(id, [], (ulong)id, null), new TransferredModel(Frozen, 8, 4, [])));
    }
}

/// <summary>Whole Bristle runs (pretraining, frozen layers, Bristle mixing) through the actor system.</summary>
public class BristleRunTests
{
    private static async Task<RunResult> Run(int trainers)
    {
        await using var simulator = SimulatorSystem.Create(trainers, $"bristle-{trainers}");
        var setup = TinyRun.Setup("mean", new SignFlipAttack(), honest: 7, byzantine: 1, rounds: 4) with
        {
            Topology = new TopologySettings(TopologyKind.Complete, 2)
            {
                Mixing = PeerMixing.Bristle,
                Bristle = new BristleSettings(0.4, 10, 20),
                Transfer = new TransferSettings(200, 2, 0.2, 16, 9),
            },
        };
        return await simulator.RunAsync(setup);
    }

    private static string Deterministic(RunResult result) =>
        string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TestAccuracy:R},{e.PeerAccuracyMin:R},{e.PeerAccuracyMax:R},{e.ConsensusDistance:R},{e.TrainLoss:R}"))
        + string.Join(";", result.Rounds.Select(r => $"{r.Round},{r.BitsSent}"))
        + string.Join(";", result.Messages.Select(m => $"{m.Round},{m.From},{m.To},{m.Fingerprint}"))
        + string.Join(";", result.BristleWeights.Select(b => $"{b.Round},{b.Peer},{b.Sender},{b.Weight.Certainty:R},{b.Weight.FamiliarWeight:R},{b.Weight.ForeignWeight:R}"));

    [Fact]
    public async Task OneOrTwoTrainers_IdenticalRecords_AndOnlyOutputLayersAreSent()
    {
        var one = await Run(1);
        Assert.Equal(Deterministic(one), Deterministic(await Run(2)));
        Assert.All(one.Rounds, r => Assert.Equal(32L * 36 * 7 * 7, r.BitsSent)); // 7 honest receivers of 7 output layers
        Assert.True(one.Evaluations[0].TestAccuracy > 0.25); // the pretrained model beats chance on 4 classes before any peer round
        Assert.Equal(4 * 7 * 7, one.BristleWeights.Length); // 4 rounds, 7 honest peers, all 7 neighbours selected
    }
}
