using System.Collections.Immutable;

namespace ByzantineSim.Experiments.Cluster;

/// <summary>What became of a result that reached the coordinator.</summary>
public enum ResultDecision
{
    /// <summary>The first result of this run: store it.</summary>
    Record,

    /// <summary>The run was already recorded (a slow worker finished it late): drop it.</summary>
    Duplicate,
}

/// <summary>
/// The coordinator's bookkeeping, as pure state transitions: which runs wait, which worker runs
/// what, which are done. A run is handed to at most one live worker at a time, goes back to the
/// front of the queue when its worker is lost, and is recorded exactly once whoever finishes it.
/// Workers are keys (their actor paths); the actor maps them to references.
/// </summary>
/// <param name="Pending">Runs waiting for a worker, in the order they are handed out.</param>
/// <param name="InFlight">Run id to the worker running it.</param>
/// <param name="Workers">Live workers and how many runs each takes at once.</param>
/// <param name="Done">Runs recorded or failed.</param>
public sealed record SweepDispatch(
    ImmutableList<string> Pending,
    ImmutableDictionary<string, string> InFlight,
    ImmutableSortedDictionary<string, int> Workers,
    ImmutableHashSet<string> Done)
{
    /// <summary>Every run waits; no worker yet.</summary>
    public static SweepDispatch Start(IEnumerable<string> runIds) => new(
        [.. runIds],
        ImmutableDictionary.Create<string, string>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal),
        ImmutableHashSet.Create<string>(StringComparer.Ordinal));

    /// <summary>Nothing waits and nothing runs.</summary>
    public bool IsFinished => Pending.IsEmpty && InFlight.IsEmpty;

    /// <summary>Runs <paramref name="worker"/> is running.</summary>
    public int Load(string worker) => InFlight.Values.Count(w => w == worker);

    /// <summary>A worker joined (again: its capacity is updated).</summary>
    public SweepDispatch AddWorker(string worker, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return this with { Workers = Workers.SetItem(worker, capacity) };
    }

    /// <summary>A worker left or died: its runs go back to the front of the queue.</summary>
    public (SweepDispatch State, ImmutableArray<string> Requeued) RemoveWorker(string worker)
    {
        var held = InFlight.Where(p => p.Value == worker).Select(p => p.Key).Order(StringComparer.Ordinal).ToImmutableArray();
        // A run another worker already finished is not run again.
        var requeued = held.Where(run => !Done.Contains(run)).ToImmutableArray();
        return (this with
        {
            Workers = Workers.Remove(worker),
            InFlight = InFlight.RemoveRange(held),
            Pending = Pending.InsertRange(0, requeued),
        }, requeued);
    }

    /// <summary>Fills every free slot of every worker, in worker order; returns the hand-outs.</summary>
    public (SweepDispatch State, ImmutableArray<(string RunId, string Worker)> Assigned) Assign()
    {
        var pending = Pending;
        var inFlight = InFlight;
        var assigned = ImmutableArray.CreateBuilder<(string, string)>();
        foreach (var (worker, capacity) in Workers)
        {
            int free = capacity - inFlight.Values.Count(w => w == worker);
            for (; free > 0 && !pending.IsEmpty; free--)
            {
                string run = pending[0];
                pending = pending.RemoveAt(0);
                inFlight = inFlight.Add(run, worker);
                assigned.Add((run, worker));
            }
        }

        return (this with { Pending = pending, InFlight = inFlight }, assigned.ToImmutable());
    }

    /// <summary>
    /// A result (or a failure) of <paramref name="runId"/> came from <paramref name="worker"/>.
    /// The first one is recorded; later ones are duplicates. The run leaves the queue either way,
    /// and the reporting worker's slot is freed; another worker still running a requeued copy
    /// keeps its slot until it reports too.
    /// </summary>
    public (SweepDispatch State, ResultDecision Decision) Finish(string runId, string worker)
    {
        var decision = Done.Contains(runId) ? ResultDecision.Duplicate : ResultDecision.Record;
        var inFlight = InFlight.TryGetValue(runId, out string? owner) && owner == worker ? InFlight.Remove(runId) : InFlight;
        return (this with { Done = Done.Add(runId), InFlight = inFlight, Pending = Pending.Remove(runId) }, decision);
    }
}
