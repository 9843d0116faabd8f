using Akka.Actor;
using Akka.Cluster;
using Akka.Delivery;
using Akka.Util;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator;

namespace ByzantineSim.Experiments.Cluster;

/// <summary>Why a worker stopped.</summary>
public enum WorkerExit
{
    /// <summary>The coordinator finished the sweep.</summary>
    SweepFinished,

    /// <summary>The coordinator left or was lost before the sweep finished.</summary>
    LostCoordinator,
}

/// <summary>
/// A worker node's agent: finds the coordinator among the cluster's members, registers with its
/// capacity, and executes each assigned run with the same simulator code as local mode, piping
/// the rendered result files straight back to the coordinator.
/// </summary>
public sealed class WorkerActor : ReceiveActor, IWithTimers
{
    private const string RegisterTimer = "register";

    private readonly SimulatorSystem _simulator;
    private readonly int _capacity;
    private readonly Action<string> _log;
    private readonly TaskCompletionSource<WorkerExit> _done;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<IRunReport> _outbox = new();
    private ActorSelection? _candidate;
    private IActorRef? _coordinator;
    private IActorRef? _reports;
    private IActorRef? _sendNext;

    /// <summary>A worker running up to <paramref name="capacity"/> runs at once on <paramref name="simulator"/>.</summary>
    public WorkerActor(SimulatorSystem simulator, int capacity, Action<string> log, TaskCompletionSource<WorkerExit> done)
    {
        _simulator = simulator;
        _capacity = capacity;
        _log = log;
        _done = done;

        Receive<ClusterEvent.MemberUp>(up => OnMemberUp(up.Member));
        Receive<Register>(_ => _candidate?.Tell(new RegisterWorker(_capacity)));
        Receive<WorkerRegistered>(OnRegistered);
        Receive<RunAssigned>(OnAssigned);
        Receive<ReportReady>(ready =>
        {
            _outbox.Enqueue(ready.Report);
            Flush();
        });
        Receive<ProducerController.RequestNext<IRunReport>>(next =>
        {
            _sendNext = next.SendNextTo;
            Flush();
        });
        Receive<SweepFinished>(_ => _done.TrySetResult(WorkerExit.SweepFinished));
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_coordinator))
            {
                _done.TrySetResult(WorkerExit.LostCoordinator);
            }
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props creating a worker that runs up to <paramref name="capacity"/> runs at once on <paramref name="simulator"/> and completes <paramref name="done"/> with why it stopped.</summary>
    public static Props Props(SimulatorSystem simulator, int capacity, Action<string> log, TaskCompletionSource<WorkerExit> done) =>
        Akka.Actor.Props.Create(() => new WorkerActor(simulator, capacity, log, done));

    /// <inheritdoc />
    protected override void PreStart()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        _reports = Context.ActorOf(
            ProducerController.Create<IRunReport>(Context, $"worker-{cluster.SelfUniqueAddress.Uid}", Option<Props>.None), "reports");
        _reports.Tell(new ProducerController.Start<IRunReport>(Self));
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void OnMemberUp(Member member)
    {
        if (_coordinator is null && member.HasRole(ClusterNodeOptions.CoordinatorRole))
        {
            _candidate = Context.ActorSelection(new RootActorPath(member.Address) / "user" / ClusterNodeOptions.CoordinatorActorName);
            // Repeat until accepted: the coordinator actor may start a moment after its node is up.
            Timers.StartPeriodicTimer(RegisterTimer, Register.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        }
    }

    private void OnRegistered(WorkerRegistered registered)
    {
        if (_coordinator is null)
        {
            _coordinator = Sender;
            Context.Watch(_coordinator);
            Timers.Cancel(RegisterTimer);
            _reports!.Tell(new ProducerController.RegisterConsumer<IRunReport>(registered.Reports));
            _log($"registered with the coordinator at {_coordinator.Path.Address} for sweep '{registered.Sweep}' (runs {_capacity} at once)");
        }
    }

    private void OnAssigned(RunAssigned assigned)
    {
        _log($"running {assigned.RunId}");
        var self = Self;
        // A run cancelled because this worker is stopping reports nothing: the coordinator requeues
        // it when this node leaves.
        ExecuteAsync(assigned, _simulator, _stopping.Token).ContinueWith(
            task =>
            {
                if (task.IsCompletedSuccessfully)
                {
                    self.Tell(new ReportReady(task.Result));
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Hands the oldest finished report to the reliable channel when it asks for one.</summary>
    private void Flush()
    {
        if (_sendNext is not null && _outbox.TryDequeue(out var report))
        {
            _sendNext.Tell(report);
            _sendNext = null;
        }
    }

    /// <summary>Runs one assigned run exactly as local mode does and renders its files.</summary>
    private static async Task<IRunReport> ExecuteAsync(RunAssigned assigned, SimulatorSystem simulator, CancellationToken cancellationToken)
    {
        try
        {
            // Loading data and partitioning run on the caller's thread: keep them off the mailbox.
            await Task.Yield();
            var run = SweepLoader.ParseRun(assigned.RunId, assigned.Spec, assigned.Labels);
            var result = await simulator.RunAsync(run.Setup, progress: null, cancellationToken).ConfigureAwait(false);
            return new RunSucceeded(run.Id, run.Spec.Hash(), [.. ResultsStore.Render(run, result)]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new RunFailedOnWorker(assigned.RunId, ex.Message);
        }
    }

    /// <summary>A run finished on this node; its report waits for the channel.</summary>
    private sealed record ReportReady(IRunReport Report);

    private sealed record Register
    {
        public static Register Instance { get; } = new();
    }
}
