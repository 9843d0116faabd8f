using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator;
using ByzantineSim.Simulator.Server;

namespace ByzantineSim.Experiments.Running;

/// <summary>How to run a sweep.</summary>
/// <param name="Parallel">Runs executing at once.</param>
/// <param name="Force">Rerun runs that are already complete.</param>
public sealed record SweepOptions(int Parallel, bool Force);

/// <summary>Where each run of a sweep stands before it starts.</summary>
/// <param name="Complete">Runs whose results are complete (skipped unless forced).</param>
/// <param name="Incomplete">Runs an earlier, interrupted attempt left unfinished or damaged (redone).</param>
/// <param name="New">Runs never started.</param>
/// <param name="ToRun">Runs this invocation executes.</param>
/// <param name="Corrupt">The incomplete runs whose files were damaged, with the reason.</param>
public sealed record SweepCensus(int Complete, int Incomplete, int New, int ToRun, ImmutableArray<(string RunId, string Reason)> Corrupt);

/// <summary>
/// Where a sweep's wall time went. <see cref="Overhead"/> is the share of the machine's capacity
/// (worker threads x wall time) not spent computing updates, attacking, aggregating or
/// evaluating: actors, messaging, scheduling, result writing, and idle time.
/// </summary>
/// <param name="WallSeconds">Wall-clock time of the sweep.</param>
/// <param name="Threads">Worker threads (trainers).</param>
/// <param name="ComputeSeconds">Honest clients' updates on the trainers.</param>
/// <param name="AttackSeconds">The attacks: Byzantine training and crafting.</param>
/// <param name="AggregationSeconds">Aggregation and the server step.</param>
/// <param name="EvaluationSeconds">Test-set evaluations.</param>
public sealed record TimeSplit(double WallSeconds, int Threads, double ComputeSeconds, double AttackSeconds, double AggregationSeconds, double EvaluationSeconds)
{
    /// <summary>Share of capacity outside the four kinds of work.</summary>
    public double Overhead => WallSeconds <= 0
        ? 0
        : Math.Max(0, 1 - ((ComputeSeconds + AttackSeconds + AggregationSeconds + EvaluationSeconds) / (Threads * WallSeconds)));
}

/// <summary>What a sweep did.</summary>
/// <param name="Census">Where the runs stood at the start.</param>
/// <param name="Completed">Runs completed now.</param>
/// <param name="Failures">Runs that failed, with the reason.</param>
/// <param name="Cancelled">The sweep was interrupted.</param>
/// <param name="Time">Where the wall time went.</param>
/// <param name="IndexError">Why <c>runs.csv</c> could not be written the last time it failed (null when it never did).</param>
public sealed record SweepOutcome(
    SweepCensus Census, int Completed, ImmutableArray<(string RunId, string Reason)> Failures, bool Cancelled, TimeSplit Time, string? IndexError)
{
    /// <summary>Runs already complete and not rerun.</summary>
    public int Skipped => Census.Complete + Census.Incomplete + Census.New - Census.ToRun;
}

/// <summary>Receives a sweep's progress (from several threads at once).</summary>
public interface ISweepObserver
{
    /// <summary>The sweep starts.</summary>
    void SweepStarted(SweepPlan plan, SweepCensus census);

    /// <summary>A run starts.</summary>
    void RunStarted(RunPlan run);

    /// <summary>A run closed a round.</summary>
    void RunProgressed(RunPlan run, RunProgress progress);

    /// <summary>A run finished and its results are stored.</summary>
    void RunCompleted(RunPlan run, RunResult result);

    /// <summary>A run failed.</summary>
    void RunFailed(RunPlan run, Exception error);
}

/// <summary>
/// Runs a sweep's runs concurrently (up to <see cref="SweepOptions.Parallel"/>) in one simulator,
/// skipping runs whose results are already complete, and stores each result as it finishes.
/// Results do not depend on the parallelism: each run is a pure function of its spec. A failed
/// write (a full disk) fails the run being written; one of <c>runs.csv</c>, which can be rebuilt
/// from the run folders at any time, is reported in the outcome; neither stops the other runs.
/// </summary>
public sealed class SweepRunner(SimulatorSystem simulator, ResultsStore store)
{
    private readonly Lock _gate = new();

    /// <summary>Runs what is not done yet.</summary>
    public async Task<SweepOutcome> RunAsync(SweepPlan plan, SweepOptions options, ISweepObserver observer, CancellationToken cancellationToken)
    {
        var states = plan.Runs.ToDictionary(run => run.Id, store.State);
        var pending = plan.Runs.Where(run => options.Force || states[run.Id].Status != RunStatus.Complete).ToList();
        var census = new SweepCensus(
            states.Values.Count(s => s.Status == RunStatus.Complete),
            states.Values.Count(s => s.Status == RunStatus.Incomplete),
            states.Values.Count(s => s.Status == RunStatus.Pending),
            pending.Count,
            [.. plan.Runs.Where(run => states[run.Id].Corruption is not null).Select(run => (run.Id, states[run.Id].Corruption!))]);
        observer.SweepStarted(plan, census);
        string? indexError = null;
        void WriteIndex()
        {
            // The index reads every run's folder: never while one is being deleted.
            lock (_gate)
            {
                try
                {
                    store.WriteIndex(plan);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    indexError = ex.Message;
                }
            }
        }

        WriteIndex();

        var clock = Stopwatch.StartNew();
        int completed = 0;
        double compute = 0, attack = 0, aggregation = 0, evaluation = 0;
        var failures = new ConcurrentBag<(string, string)>();
        bool cancelled = false;
        try
        {
            await Parallel.ForEachAsync(
                pending,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel), CancellationToken = cancellationToken },
                async (run, token) =>
                {
                    observer.RunStarted(run);
                    try
                    {
                        lock (_gate)
                        {
                            store.Reset(run);
                        }

                        var result = await simulator.RunAsync(run.Setup, progress => observer.RunProgressed(run, progress), token).ConfigureAwait(false);
                        Store(run, result);
                        lock (_gate)
                        {
                            completed++;
                            compute += result.Rounds.Sum(r => r.ComputeSeconds);
                            attack += result.Rounds.Sum(r => r.AttackSeconds);
                            aggregation += result.Rounds.Sum(r => r.AggregationSeconds);
                            evaluation += result.Evaluations.Sum(e => e.EvaluationSeconds);
                        }

                        observer.RunCompleted(run, result);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        failures.Add((run.Id, ex.Message));
                        RecordFailure(run, ex);
                        observer.RunFailed(run, ex);
                    }

                    WriteIndex();
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }

        indexError = null; // only the last attempt matters: the index is whole again once it succeeds
        WriteIndex();
        var time = new TimeSplit(clock.Elapsed.TotalSeconds, simulator.TrainerCount, compute, attack, aggregation, evaluation);
        return new SweepOutcome(census, completed, [.. failures.OrderBy(f => f.Item1, StringComparer.Ordinal)], cancelled, time, indexError);
    }

    /// <summary>Keeps the reason in the run's folder for the index, <c>byzsim runs</c> and the report; best effort (a full disk may refuse it too).</summary>
    private void RecordFailure(RunPlan run, Exception error)
    {
        try
        {
            lock (_gate)
            {
                store.WriteFailure(run, error.Message, error.ToString());
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The outcome and the log still carry the reason.
        }
    }

    private void Store(RunPlan run, RunResult result)
    {
        try
        {
            store.Write(run, result);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"results not written ({ex.Message}); the run is redone next time", ex);
        }
    }
}
