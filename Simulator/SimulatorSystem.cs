using Akka.Actor;
using Akka.Configuration;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Server;
using ByzantineSim.Simulator.Setup;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator;

/// <summary>
/// The actor system that runs simulations: one trainer pool (about one trainer per core, each on
/// its own thread) shared by every run, and one server actor per run. Production code and tests
/// both create it through <see cref="Create"/>, so tests exercise the real wiring.
/// </summary>
public sealed class SimulatorSystem : IAsyncDisposable
{
    private static readonly Config BaseConfig = ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        {{TrainerActor.DispatcherId}} {
          type = PinnedDispatcher
        }
        """);

    /// <summary>How long disposal waits for the actor system to stop after the trainer pool failed to start.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly WorkQueue _work;
    private readonly TrainerPoolStartup _startup;

    private SimulatorSystem(ActorSystem system, IActorRef trainers, int trainerCount, WorkQueue work, TrainerPoolStartup startup)
    {
        _startup = startup;
        System = system;
        Trainers = trainers;
        TrainerCount = trainerCount;
        _work = work;
    }

    /// <summary>The underlying actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>The trainer pool (<see cref="TrainerPool"/>: <see cref="TrainerCount"/> trainers pulling from one queue).</summary>
    public IActorRef Trainers { get; }

    /// <summary>Number of trainers.</summary>
    public int TrainerCount { get; }

    /// <summary>So far, trainer-seconds spent waiting for the slowest trainer (<see cref="WorkQueue.TailIdleSeconds"/>).</summary>
    public double TrainerTailIdleSeconds => _work.TailIdleSeconds;

    /// <summary>
    /// Starts a system with <paramref name="trainers"/> trainers (default: one per core);
    /// <paramref name="extraConfig"/> and <paramref name="setup"/> add to it (a cluster node's
    /// remoting, for instance). <paramref name="startTrainer"/> replaces how the pool starts a
    /// trainer (tests make it fail; default <see cref="TrainerPool.StartTrainer"/>).
    /// </summary>
    public static SimulatorSystem Create(
        int? trainers = null, string name = "byzantinesim", Config? extraConfig = null, Akka.Actor.Setup.Setup? setup = null, TrainerPool.TrainerStarter? startTrainer = null)
    {
        int count = Math.Max(1, trainers ?? Environment.ProcessorCount);
        var config = extraConfig is null ? BaseConfig : extraConfig.WithFallback(BaseConfig);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        var system = ActorSystem.Create(name, setup is null ? Akka.Actor.Setup.ActorSystemSetup.Create(bootstrap) : bootstrap.And(setup));
        var work = new WorkQueue(count);
        var startup = new TrainerPoolStartup();
        var pool = system.ActorOf(TrainerPool.Props(count, work, startup, startTrainer), "trainers");
        return new SimulatorSystem(system, pool, count, work, startup);
    }

    /// <summary>
    /// Runs one simulation to the end. Loading, partitioning and initialisation happen here, on
    /// the caller's thread; the rounds run in actors. Cancelling stops the run's actors. Throws
    /// <see cref="TrainerPoolException"/> when the trainer pool could not be created.
    /// </summary>
    public async Task<RunResult> RunAsync(RunSetup setup, Action<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await _startup.Started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var context = Prepare(setup, progress);
        // A run with a topology has no server: one actor drives its peers (see Peers/PeerNetworkActor);
        // an asynchronous run's server applies arrivals in simulated time (see Asynchrony/AsyncServerActor).
        var props = setup.Topology is not null ? Props.Create(() => new Peers.PeerNetworkActor(context))
            : setup.Asynchrony is not null ? Props.Create(() => new Asynchrony.AsyncServerActor(context))
            : Props.Create(() => new ServerActor(context));
        var server = System.ActorOf(props, $"run-{Sanitize(setup.RunId)}-{Guid.NewGuid():N}");
        try
        {
            var finished = await server.Ask<RunFinished>(new BeginRun(), Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            return finished.Result;
        }
        catch (OperationCanceledException)
        {
            System.Stop(server);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // A pool that could not start (threads exhausted) may leave the system unable to finish
        // its shutdown; the caller has reported the failure and must not wait for ever.
        var terminated = System.Terminate();
        if (_startup.Started.IsFaulted)
        {
            await Task.WhenAny(terminated, Task.Delay(ShutdownTimeout)).ConfigureAwait(false);
            return;
        }

        await terminated.ConfigureAwait(false);
    }

    private RunContext Prepare(RunSetup setup, Action<RunProgress>? progress)
    {
        var data = DatasetCatalog.Load(setup.Data);
        if (setup.Attack.Poisoning?.Labels is { } labels && labels.Classes != data.Train.Classes)
        {
            throw new ArgumentException(
                $"{setup.Attack.Name} maps {labels.Classes} labels but {data.Train.Name} has {data.Train.Classes} classes", nameof(setup));
        }

        // The server's root data is drawn first, so that no client's partition can hold it.
        Dataset? serverData = null;
        if (setup.ServerData is { } serverSettings)
        {
            (data, serverData) = serverSettings.Split(data);
        }

        // Transfer learning's public split is drawn next, for the same reason (Peers/Transfer.cs).
        Dataset? publicData = null;
        if (setup.Topology?.Transfer is { } transfer)
        {
            (data, publicData) = transfer.Split(data);
        }

        var partition = setup.Partitioner.Split(data.Train, setup.TotalClients, Seed.Derive(setup.Seed, "partition"));
        if (setup.LabelDilution is { } dilution)
        {
            // Only the clients' training data is diluted; the test set stays as loaded.
            partition = dilution.Apply(partition, data.Train.Count, data.Train.Classes, Seed.Derive(setup.Seed, "label-dilution"));
        }

        var model = ModelKey.For(setup.Model, setup.Model.Description, data.Train.SampleShape, data.Train.Classes).On(setup.Device);
        float[] initial;
        ImmutableArray<float> statistics;
        Peers.TransferredModel? transferred = null;
        using (var runner = new ModelRunner(setup.Model, data.Train.SampleShape, data.Train.Classes))
        {
            initial = runner.InitialParameters(Seed.Derive(setup.Seed, "model-init"));
            statistics = runner.InitialStatistics();
            model = model with { ClientsPerPass = setup.Device == ComputeDevice.Cpu ? runner.ClientsPerPass : 1 };
            if (setup.Topology?.Transfer is { } settings)
            {
                transferred = Peers.TransferredModel.Build(
                    settings, runner, publicData!, initial, data.Train, partition, setup.HonestClients, setup.Topology.Bristle?.Samples ?? 0, Seed.Derive(setup.Seed, "bristle"));
            }
        }

        return new RunContext(setup, data, partition, model, VectorPayload.TakeOwnership(initial), Trainers, progress)
        {
            ServerData = serverData,
            AttackSuccessData = setup.Attack.Goal is { } goal ? PoisonedTestSet.Build(data.Test, goal, data.Train.FeatureRange) : null,
            InitialStatistics = statistics,
            Transfer = transferred,
        };
    }

    private static string Sanitize(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')]);
}
