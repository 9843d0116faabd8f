using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using ByzantineSim.Clients.Compression;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// An honest client's batch-norm running statistics, with the test standing in for the trainer
/// pool and the server: under local batch norm (FedBN) the statistics its trainer gives back are
/// what its next round starts from and never go to the server; under aggregated batch norm every
/// round starts from the server's and the client's go back with its update.
/// </summary>
public sealed class BatchNormClientTests : IAsyncLifetime
{
    private static readonly ImmutableArray<float> Own = [0f, 0f, 1f, 1f];
    private static readonly ImmutableArray<float> AfterWork = [0.25f, -0.5f, 0.75f, 1.5f];
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("batch-norm-clients");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    /// <summary>Queues whatever it receives.</summary>
    private sealed class Inbox : ReceiveActor
    {
        public Inbox(BlockingCollection<object> received) => ReceiveAny(received.Add);
    }

    private sealed record Wiring(IActorRef Client, BlockingCollection<object> Trainer, BlockingCollection<object> Server)
    {
        public T Next<T>(BlockingCollection<object> box)
        {
            Assert.True(box.TryTake(out var message, TimeSpan.FromSeconds(30)), $"no {typeof(T).Name} within 30 s");
            return Assert.IsType<T>(message);
        }
    }

    /// <summary>Client 0 of a ResNet-20 run in <paramref name="mode"/>, holding <see cref="Own"/> as its statistics when local.</summary>
    private Wiring Start(BatchNormMode mode, double workerMomentum)
    {
        var trainer = new BlockingCollection<object>();
        var server = new BlockingCollection<object>();
        var trainerRef = _system.ActorOf(Props.Create(() => new Inbox(trainer)));
        var serverRef = _system.ActorOf(Props.Create(() => new Inbox(server)));
        var network = ResidualNetworks.ResNet20.WithBatchNorm(mode);
        var data = new Dataset("images", [3, 8, 8], 2, new float[8 * 192], [0, 1, 0, 1, 0, 1, 0, 1]);
        var training = TinyRun.Setup(workerMomentum: workerMomentum, batchSize: 4).Training;
        var context = new ClientContext(serverRef, trainerRef, ModelKey.For(network, network.Description, [3, 8, 8], 2), data, training, NoCompression.Instance, null);
        var state = new ClientState(0, [.. Enumerable.Range(0, 8)], 3, null) { Statistics = mode == BatchNormMode.Local ? Own : default };
        return new Wiring(_system.ActorOf(Props.Create(() => new HonestClientActor(context, state))), trainer, server);
    }

    private static RoundStarted Round(int round, ImmutableArray<float> serverStatistics = default) =>
        new(round, VectorPayload.CopyOf([1f, 2f, 3f]), [0]) { Statistics = serverStatistics };

    private static GradientComputed Computed(int round, ImmutableArray<float> statistics) =>
        new(round, VectorPayload.CopyOf([0.5f, 0.5f, 0.5f]), 1.0, 0) { Statistics = statistics };

    [Fact]
    public void Local_TheStatisticsAfterTheWorkStartTheNextRound_AndAreNotSent()
    {
        var wiring = Start(BatchNormMode.Local, workerMomentum: 0);
        wiring.Client.Tell(Round(0));
        var first = wiring.Next<ComputeGradient>(wiring.Trainer);
        Assert.Equal(Own, first.Statistics);
        Assert.Null(first.SubmitFor); // the client must see its statistics come back, so its trainer never submits for it

        wiring.Client.Tell(Computed(0, AfterWork));
        var sent = wiring.Next<UpdateSubmitted>(wiring.Server);
        Assert.Equal(0, sent.Round);
        Assert.True(sent.Statistics.IsDefault);

        wiring.Client.Tell(Round(1));
        Assert.Equal(AfterWork, wiring.Next<ComputeGradient>(wiring.Trainer).Statistics);
    }

    [Fact]
    public void Aggregated_EveryRoundStartsFromTheServers_AndTheClientsGoBackWithTheUpdate()
    {
        var (wiring, request) = AggregatedRoundZero(workerMomentum: 0.5);
        Assert.Equal(ServerStatistics, request.Statistics);

        wiring.Client.Tell(Computed(0, AfterWork));
        Assert.Equal(AfterWork, wiring.Next<UpdateSubmitted>(wiring.Server).Statistics);

        ImmutableArray<float> next = [4f, 4f, 5f, 5f];
        wiring.Client.Tell(Round(1, next));
        Assert.Equal(next, wiring.Next<ComputeGradient>(wiring.Trainer).Statistics);
    }

    [Fact]
    public void Aggregated_GradientAsComputed_TheTrainerSubmitsItWithTheServersStatisticsToStartFrom()
    {
        var (_, request) = AggregatedRoundZero(workerMomentum: 0);
        Assert.Equal(0, request.SubmitFor);
        Assert.Equal(ServerStatistics, request.Statistics);
    }

    // The server's batch-normalisation statistics of round 0 in the aggregated-mode tests.
    private static readonly ImmutableArray<float> ServerStatistics = [2f, 2f, 3f, 3f];

    // A client in aggregated mode sent round 0 with the server's statistics, and what it asked its trainer.
    private (Wiring Wiring, ComputeGradient Request) AggregatedRoundZero(double workerMomentum)
    {
        var wiring = Start(BatchNormMode.Aggregated, workerMomentum);
        wiring.Client.Tell(Round(0, ServerStatistics));
        return (wiring, wiring.Next<ComputeGradient>(wiring.Trainer));
    }
}
