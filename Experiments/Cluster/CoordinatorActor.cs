using System.Collections.Immutable;
using Akka.Actor;
using Akka.Delivery;
using Akka.Util;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Experiments.Cluster;

/// <summary>What a coordinated sweep did.</summary>
/// <param name="Recorded">Runs whose results were stored now.</param>
/// <param name="Duplicates">Late results of runs already recorded, dropped.</param>
/// <param name="Requeued">Hand-outs taken back from lost workers.</param>
/// <param name="Failures">Runs that failed on a worker, with the reason.</param>
/// <param name="Seconds">Wall time from the first hand-out to the last result (0 when nothing ran).</param>
public sealed record CoordinatorOutcome(int Recorded, int Duplicates, int Requeued, ImmutableArray<(string RunId, string Reason)> Failures, double Seconds);

/// <summary>
/// Owns a sweep on the coordinator node: hands runs to registered workers up to their capacity,
/// stores each result with the same atomic store as local mode, and takes back the runs of a
/// worker that is lost (its node downed and removed, seen through death watch). A thin shell
/// around <see cref="SweepDispatch"/>.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor
{
    private readonly SweepPlan _plan;
    private readonly ResultsStore _store;
    private readonly Dictionary<string, RunPlan> _runs;
    private readonly Action<string> _log;
    private readonly TaskCompletionSource<CoordinatorOutcome> _done;
    private readonly Dictionary<string, IActorRef> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _reportsByWorker = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _workerByReports = [];
    private readonly List<(string, string)> _failures = [];
    private SweepDispatch _dispatch;
    private int _recorded;
    private int _duplicates;
    private int _requeued;
    private System.Diagnostics.Stopwatch? _clock;

    /// <summary>Coordinates <paramref name="toRun"/>, runs of <paramref name="plan"/>.</summary>
    public CoordinatorActor(SweepPlan plan, IReadOnlyList<RunPlan> toRun, ResultsStore store, Action<string> log, TaskCompletionSource<CoordinatorOutcome> done)
    {
        _plan = plan;
        _store = store;
        _runs = toRun.ToDictionary(r => r.Id, StringComparer.Ordinal);
        _log = log;
        _done = done;
        _dispatch = SweepDispatch.Start(toRun.Select(r => r.Id));

        Receive<RegisterWorker>(OnRegister);
        Receive<ConsumerController.Delivery<IRunReport>>(OnReport);
        Receive<Terminated>(OnTerminated);
    }

    /// <summary>Props creating a coordinator that hands out <paramref name="toRun"/>, stores results in <paramref name="store"/> and completes <paramref name="done"/> with the sweep's outcome.</summary>
    public static Props Props(SweepPlan plan, IReadOnlyList<RunPlan> toRun, ResultsStore store, Action<string> log, TaskCompletionSource<CoordinatorOutcome> done) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(plan, toRun, store, log, done));

    /// <inheritdoc />
    protected override void PreStart() => CheckFinished();

    /// <inheritdoc />
    protected override void PreRestart(Exception reason, object message)
    {
        // A restart would forget the queue and the workers: end the sweep with the error instead.
        _done.TrySetException(reason);
        base.PreRestart(reason, message);
    }

    private static string Key(IActorRef worker) => worker.Path.ToString();

    // The worker's node, for log lines: its key is the actor path, whose root is the node address.
    private string Address(string worker) => _workers.TryGetValue(worker, out var actor) ? actor.Path.Address.ToString() : worker;

    private void OnRegister(RegisterWorker register)
    {
        var worker = Sender;
        if (register.Capacity < 1)
        {
            _log($"refused worker {worker.Path.Address}: capacity {register.Capacity}");
            return;
        }

        if (_done.Task.IsCompleted)
        {
            worker.Tell(SweepFinished.Instance); // joined too late: nothing left to do
            return;
        }

        string key = Key(worker);
        if (_workers.TryAdd(key, worker))
        {
            Context.Watch(worker);
            // One reliable channel per worker for its reports: resent if lost, chunked if large.
            var reports = Context.ActorOf(ConsumerController.Create<IRunReport>(Context, Option<IActorRef>.None), $"reports-{Guid.NewGuid():N}");
            reports.Tell(new ConsumerController.Start<IRunReport>(Self));
            _reportsByWorker[key] = reports;
            _workerByReports[reports] = key;
            _log($"worker joined: {worker.Path.Address} (runs {register.Capacity} at once)");
        }

        _dispatch = _dispatch.AddWorker(key, register.Capacity);
        worker.Tell(new WorkerRegistered(_plan.Name, _reportsByWorker[key]));
        Dispatch();
    }

    private void OnReport(ConsumerController.Delivery<IRunReport> delivery)
    {
        delivery.ConfirmTo.Tell(ConsumerController.Confirmed.Instance);
        if (!_workerByReports.TryGetValue(Sender, out string? key))
        {
            _log($"ignored a report from an unknown channel {Sender.Path}");
            return;
        }

        switch (delivery.Message)
        {
            case RunSucceeded succeeded:
                OnSucceeded(succeeded, key);
                break;
            case RunFailedOnWorker failed:
                OnFailed(failed, key);
                break;
        }
    }

    private void OnSucceeded(RunSucceeded result, string worker)
    {
        if (!_runs.TryGetValue(result.RunId, out var run))
        {
            _log($"ignored a result of unknown run {result.RunId} from {worker}");
            return;
        }

        if (result.SpecHash != run.Spec.Hash())
        {
            // The worker's build read the spec differently: never store such results.
            Finish(run.Id, worker, () => _failures.Add((run.Id, $"worker {worker} ran spec {result.SpecHash}, expected {run.Spec.Hash()}")));
            return;
        }

        Finish(run.Id, worker, () =>
        {
            _store.Reset(run);
            try
            {
                _store.Write(run, result.Files);
            }
            catch (ArgumentException ex)
            {
                // Malformed file names from a worker: the run counts as failed, nothing is written outside its folder.
                string reason = $"worker {Address(worker)} sent unusable files: {ex.Message}";
                _failures.Add((run.Id, reason));
                RecordFailure(run, reason, ex.ToString());
                _log($"failed {run.Id} on {Address(worker)}: {ex.Message}");
                return;
            }

            _store.WriteIndex(_plan);
            _recorded++;
            _log($"completed {run.Id} on {Address(worker)} ({_dispatch.Done.Count}/{_runs.Count})");
        });
    }

    private void OnFailed(RunFailedOnWorker failure, string worker)
    {
        if (_runs.TryGetValue(failure.RunId, out var run))
        {
            Finish(failure.RunId, worker, () =>
            {
                _failures.Add((failure.RunId, failure.Reason));
                RecordFailure(run, failure.Reason, $"on worker {Address(worker)}");
                _log($"failed {failure.RunId} on {Address(worker)}: {failure.Reason}");
            });
        }
    }

    /// <summary>Keeps a failed run's reason in its folder, as a local sweep does; best effort.</summary>
    private void RecordFailure(RunPlan run, string reason, string details)
    {
        try
        {
            _store.WriteFailure(run, reason, details);
            _store.WriteIndex(_plan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log($"could not record the failure of {run.Id}: {ex.Message}");
        }
    }

    private void Finish(string runId, string worker, Action record)
    {
        (_dispatch, var decision) = _dispatch.Finish(runId, worker);
        if (decision == ResultDecision.Record)
        {
            try
            {
                record();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The results folder is the sweep's only output: stop rather than go on without it.
                _done.TrySetException(new IOException($"cannot store the results of {runId}: {ex.Message}", ex));
                return;
            }
        }
        else
        {
            _duplicates++;
            _log($"dropped a late duplicate result of {runId} from {Address(worker)}");
        }

        Dispatch();
    }

    private void OnTerminated(Terminated terminated)
    {
        string key = Key(terminated.ActorRef);
        if (_workers.Remove(key))
        {
            // Its node is gone, and with it anything still on the way in its channel.
            if (_reportsByWorker.Remove(key, out var reports))
            {
                _workerByReports.Remove(reports);
                Context.Stop(reports);
            }

            (_dispatch, var requeued) = _dispatch.RemoveWorker(key);
            _requeued += requeued.Length;
            _log(requeued.IsEmpty
                ? $"worker gone: {terminated.ActorRef.Path.Address} (no run in flight)"
                : $"worker lost: {terminated.ActorRef.Path.Address}; requeued {requeued.Length} run(s): {string.Join(", ", requeued)}");
            Dispatch();
        }
    }

    private void Dispatch()
    {
        (_dispatch, var assigned) = _dispatch.Assign();
        foreach (var (runId, worker) in assigned)
        {
            _clock ??= System.Diagnostics.Stopwatch.StartNew();
            var run = _runs[runId];
            _workers[worker].Tell(new RunAssigned(run.Id, run.Spec.ToCanonicalYaml(), run.Labels));
        }

        CheckFinished();
    }

    private void CheckFinished()
    {
        if (!_dispatch.IsFinished || _done.Task.IsCompleted)
        {
            return;
        }

        _store.WriteIndex(_plan);
        foreach (var worker in _workers.Values)
        {
            worker.Tell(SweepFinished.Instance);
        }

        _done.TrySetResult(new CoordinatorOutcome(_recorded, _duplicates, _requeued, [.. _failures.OrderBy(f => f.Item1, StringComparer.Ordinal)], _clock?.Elapsed.TotalSeconds ?? 0));
    }
}
