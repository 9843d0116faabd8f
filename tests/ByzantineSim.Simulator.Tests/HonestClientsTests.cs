using Akka.Actor;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// Clients materialised on sampling (<see cref="HonestClients"/>): a client no round asked for
/// has no actor; without state a client lives for its round only; with state (worker momentum),
/// or when every client takes part in every round, it keeps one actor for the run.
/// </summary>
public sealed class HonestClientsTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("honest-clients-tests");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task Stateless_PartialParticipation_NoActorBeforeSampling_AndNoneAfterTheRound()
    {
        var parent = Start(participation: 0.25, momentum: 0);
        Assert.Equal(0, await Children(parent));
        SendRound(parent, 0, [0, 3, 5]);
        await Eventually(parent, expected: 0);
        SendRound(parent, 1, [3]); // sampled again: a new actor for the new round, and none left after it
        await Eventually(parent, expected: 0);
    }

    [Fact]
    public async Task WorkerMomentum_PartialParticipation_OneActorPerSampledClient_KeptForTheRun()
    {
        var parent = Start(participation: 0.25, momentum: 0.9);
        Assert.Equal(0, await Children(parent));
        SendRound(parent, 0, [0, 3, 5]);
        SendRound(parent, 1, [3, 6]);
        await Eventually(parent, expected: 4);
    }

    [Fact]
    public async Task Stateless_FullParticipation_KeepsItsActors()
    {
        var parent = Start(participation: 1, momentum: 0);
        SendRound(parent, 0, [0, 1, 2, 3, 4, 5, 6]);
        SendRound(parent, 1, [0, 1, 2, 3, 4, 5, 6]);
        await Eventually(parent, expected: 7);
    }

    private IActorRef Start(double participation, double momentum)
    {
        var setup = TinyRun.Setup(rounds: 2, workerMomentum: momentum, training: t => t with { Participation = participation });
        var data = DatasetCatalog.Load(setup.Data);
        var partition = setup.Partitioner.Split(data.Train.Labels, data.Train.Classes, setup.TotalClients, Seed.Derive(setup.Seed, "partition"));
        var model = ModelKey.For(setup.Model, setup.Model.Description, data.Train.SampleShape, data.Train.Classes);
        var run = new RunContext(setup, data, partition, model, VectorPayload.CopyOf([1f, 2f, 3f, 4f]), ActorRefs.Nobody, null);
        // Trainers and server are nobody: the clients' requests go to dead letters, which is all these tests need.
        var clients = new ClientContext(ActorRefs.Nobody, ActorRefs.Nobody, model, data.Train, setup.Training, setup.Compressor, setup.Privacy);
        return _system.ActorOf(Props.Create(() => new Parent(run, clients)));
    }

    private static void SendRound(IActorRef parent, int round, int[] ids)
    {
        var started = new RoundStarted(round, VectorPayload.CopyOf([1f, 2f, 3f, 4f]), [.. ids]);
        foreach (int id in ids)
        {
            parent.Tell(new Send(id, started));
        }
    }

    private static Task<int> Children(IActorRef parent) => parent.Ask<int>(CountChildren.Instance, TimeSpan.FromSeconds(10));

    /// <summary>Stopping is asynchronous: polls the parent's live children until they number <paramref name="expected"/> (10 s at most).</summary>
    private static async Task Eventually(IActorRef parent, int expected)
    {
        int count = -1;
        for (int attempt = 0; attempt < 200 && count != expected; attempt++)
        {
            count = await Children(parent);
            if (count != expected)
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal(expected, count);
    }

    private sealed record Send(int Id, object Message);

    private sealed class CountChildren
    {
        public static readonly CountChildren Instance = new();
    }

    /// <summary>Owns the clients as the server does: they are its children.</summary>
    private sealed class Parent : ReceiveActor
    {
        public Parent(RunContext run, ClientContext clients)
        {
            var honest = new HonestClients(Context, clients, run);
            Receive<Send>(send => honest.Tell(send.Id, send.Message));
            Receive<CountChildren>(_ => Sender.Tell(Context.GetChildren().Count()));
        }
    }
}
