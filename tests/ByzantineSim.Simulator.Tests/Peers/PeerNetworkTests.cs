using ByzantineSim.Attacks.Dissensus;
using ByzantineSim.Attacks.SignFlip;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Peers;

namespace ByzantineSim.Simulator.Tests.Peers;

/// <summary>
/// One round of a ring of 8 peers with one Byzantine peer (id 7, between honest peers 0 and 6),
/// driven without actors: each honest peer p takes the local step of the gradient g_p = [-(p+1), p, 1]
/// at lr 0.2 from the origin, so x_p' = -0.2 g_p, then the exchange.
/// </summary>
public class PeerNetworkTests
{
    private const float Lr = 0.2f;

    private static PeerNetwork Network(IAttack attack, PeerMixing mixing, string aggregator = "mean")
    {
        var withTopology = TinyRun.Setup(aggregator, attack, honest: 7, byzantine: 1, workerMomentum: 0, learningRate: Lr) with
        {
            Topology = new TopologySettings(TopologyKind.Ring, 1) { Mixing = mixing },
        };
        var network = new PeerNetwork(withTopology, new float[3], id => new ClientState(id, [.. Enumerable.Range(0, 32)], (ulong)id, null));
        for (int p = 0; p < 7; p++)
        {
            network.LocalStep(p, 0, VectorPayload.TakeOwnership([-(p + 1), p, 1]), loss: p);
        }

        return network;
    }

    private static float[] Stepped(int p) => [Lr * (p + 1), -Lr * p, -Lr];

    [Fact]
    public void AByzantinePeer_SendsItsTwoHonestNeighboursDifferentVectors_AndTheMessagesAreRecorded()
    {
        var network = Network(new SignFlipAttack(), PeerMixing.Aggregator);
        network.Exchange(0);

        // Sign-flip in peer 0's view (rows 0 and x_1' - x_0'): x_0' - (x_1' - x_0') / 2; in peer 6's: x_6' - (x_5' - x_6') / 2.
        float[] Expected(int target, int honestNeighbour) =>
            [.. Enumerable.Range(0, 3).Select(k => Stepped(target)[k] - ((Stepped(honestNeighbour)[k] - Stepped(target)[k]) / 2))];
        var toZero = network.Received(7, 0)!;
        var toSix = network.Received(7, 6)!;
        Assert.Equal(Expected(0, 1), toZero);
        Assert.Equal(Expected(6, 5), toSix);
        Assert.NotEqual(toZero, toSix);

        var recorded = network.Messages.Where(m => m.Round == 0 && m.From == 7).ToList();
        Assert.Equal([0, 6], recorded.Select(m => m.To));
        Assert.NotEqual(recorded[0].Fingerprint, recorded[1].Fingerprint);
        Assert.Equal(PeerMessageRecord.Of(0, 7, 0, toZero, Stepped(0)).Fingerprint, recorded[0].Fingerprint);
    }

    [Fact]
    public void MeanMixing_AveragesOwnNeighbourAndByzantineRows()
    {
        var network = Network(new SignFlipAttack(), PeerMixing.Aggregator);
        var record = network.Exchange(0);
        var byzantine = network.Received(7, 0)!;
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal((Stepped(0)[k] + Stepped(1)[k] + byzantine[k]) / 3, network.Model(0)[k], 5);
            Assert.Equal((Stepped(2)[k] + Stepped(3)[k] + Stepped(4)[k]) / 3, network.Model(3)[k], 5);
        }

        Assert.Equal(14, record.Aggregated); // 7 honest peers x 2 neighbours
        Assert.Equal(3.0, record.TrainLoss, 12); // mean of the losses 0 .. 6
    }

    [Fact]
    public void Dissensus_UnderGossip_ReversesHalfTheHonestPull()
    {
        // Every degree is 2, so W = 1/3 everywhere; the message to 0 is x_0' - 1.5 (x_1' - x_0'),
        // and 0's gossip step is x_0' + (1 - 1.5) / 3 (x_1' - x_0').
        var network = Network(new DissensusAttack(new DissensusOptions(1.5)), PeerMixing.Gossip);
        network.Exchange(0);
        for (int k = 0; k < 3; k++)
        {
            float pull = Stepped(1)[k] - Stepped(0)[k];
            Assert.Equal(Stepped(0)[k] - (1.5f * pull), network.Received(7, 0)![k], 5);
            Assert.Equal(Stepped(0)[k] - (pull / 6), network.Model(0)[k], 5);
        }
    }

    [Fact]
    public void ConsensusDistance_IsTheMeanSquaredDistanceToTheHonestMean()
    {
        var network = Network(new SignFlipAttack(), PeerMixing.Aggregator);
        // Before the exchange: x_p' = 0.2 [p+1, -p, -1]; the mean over p = 0..6 is 0.2 [4, -3, -1],
        // and (1/7) sum |x_p' - mean|^2 = 0.04 * 2 * (1/7) sum (p - 3)^2 = 0.04 * 2 * 4.
        Assert.Equal(0.32, network.ConsensusDistance(), 6);
    }
}

/// <summary>Whole peer-to-peer runs through the actor system: the spread over peers is recorded and results do not depend on the trainer count.</summary>
public class PeerRunTests
{
    private static async Task<RunResult> Run(int trainers, PeerMixing mixing)
    {
        await using var simulator = SimulatorSystem.Create(trainers, $"peers-{trainers}");
        var setup = TinyRun.Setup("median", new SignFlipAttack(), honest: 7, byzantine: 1, rounds: 6) with
        {
            Topology = new TopologySettings(TopologyKind.Ring, 2) { Mixing = mixing },
        };
        return await simulator.RunAsync(setup);
    }

    private static string Deterministic(RunResult result) =>
        string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TestAccuracy:R},{e.PeerAccuracyMin:R},{e.PeerAccuracyMax:R},{e.ConsensusDistance:R},{e.TrainLoss:R}"))
        + string.Join(";", result.Messages.Select(m => $"{m.Round},{m.From},{m.To},{m.Fingerprint}"));

    [Fact]
    public async Task OneOrTwoTrainers_IdenticalRecords_AndEveryEvaluationHasTheSpreadOverPeers()
    {
        var one = await Run(1, PeerMixing.ClippedGossip);
        Assert.Equal(Deterministic(one), Deterministic(await Run(2, PeerMixing.ClippedGossip)));
        Assert.True(one.PeerToPeer);
        Assert.Equal([0, 3, 6], one.Evaluations.Select(e => e.Round));
        Assert.All(one.Evaluations, e => Assert.InRange(e.TestAccuracy, e.PeerAccuracyMin - 1e-12, e.PeerAccuracyMax + 1e-12)); // a mean of equal doubles may drift in the last bit
        Assert.Equal(0, one.Evaluations[0].ConsensusDistance); // every peer starts at theta_0
        Assert.True(one.Evaluations[^1].ConsensusDistance > 0);
        Assert.Equal(6 * 2, one.Messages.Length); // the Byzantine peer's two honest neighbours, each round
        Assert.Equal(6, one.Rounds.Length);
    }
}
