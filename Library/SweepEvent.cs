using System.Collections.Immutable;
using ByzantineSim.Experiments.Running;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator.Server;

namespace ByzantineSim;

/// <summary>
/// What a running sweep reports through <see cref="Sweep.RunAsync"/>'s progress: the sweep
/// starting, each run starting, closing rounds, finishing or failing. Runs execute in parallel,
/// so events of different runs interleave; events of one run arrive in order.
/// </summary>
public abstract record SweepEvent
{
    private SweepEvent()
    {
    }

    /// <summary>The sweep starts: how many runs it has, how many are already complete, how many run now.</summary>
    /// <param name="Sweep">The sweep's name.</param>
    /// <param name="Runs">Runs in the sweep.</param>
    /// <param name="AlreadyComplete">Runs whose results were complete before (skipped unless forced).</param>
    /// <param name="ToRun">Runs this call executes.</param>
    public sealed record SweepStarted(string Sweep, int Runs, int AlreadyComplete, int ToRun) : SweepEvent;

    /// <summary>A run starts.</summary>
    /// <param name="RunId">The run's id (its results folder).</param>
    /// <param name="Axes">Its value on each sweep axis.</param>
    public sealed record RunStarted(string RunId, ImmutableDictionary<string, string> Axes) : SweepEvent;

    /// <summary>A run closed a round.</summary>
    /// <param name="RunId">The run's id.</param>
    /// <param name="Round">Rounds completed so far.</param>
    /// <param name="Rounds">Rounds in the run.</param>
    /// <param name="LastAccuracy">Test accuracy of the latest evaluation (NaN before the first).</param>
    public sealed record RoundCompleted(string RunId, int Round, int Rounds, double LastAccuracy) : SweepEvent;

    /// <summary>A run finished and its results are stored.</summary>
    /// <param name="RunId">The run's id.</param>
    /// <param name="FinalAccuracy">Test accuracy after the last round.</param>
    public sealed record RunCompleted(string RunId, double FinalAccuracy) : SweepEvent;

    /// <summary>A run failed; the sweep goes on with the others.</summary>
    /// <param name="RunId">The run's id.</param>
    /// <param name="Reason">Why, in one line.</param>
    public sealed record RunFailed(string RunId, string Reason) : SweepEvent;

    /// <summary>Turns the runner's observer calls into events for <paramref name="progress"/>.</summary>
    internal sealed class Observer(IProgress<SweepEvent>? progress) : ISweepObserver
    {
        /// <inheritdoc />
        public void SweepStarted(SweepPlan plan, SweepCensus census) =>
            progress?.Report(new SweepStarted(plan.Name, plan.Runs.Length, census.Complete, census.ToRun));

        /// <inheritdoc />
        public void RunStarted(RunPlan run) =>
            progress?.Report(new RunStarted(run.Id, run.Labels.ToImmutableDictionary(l => l.Axis, l => l.Value)));

        /// <inheritdoc />
        public void RunProgressed(RunPlan run, RunProgress progressOfRun) =>
            progress?.Report(new RoundCompleted(run.Id, progressOfRun.RoundsCompleted, progressOfRun.TotalRounds, progressOfRun.LastAccuracy));

        /// <inheritdoc />
        public void RunCompleted(RunPlan run, RunResult result) =>
            progress?.Report(new RunCompleted(run.Id, result.Final.TestAccuracy));

        /// <inheritdoc />
        public void RunFailed(RunPlan run, Exception error) =>
            progress?.Report(new RunFailed(run.Id, error.Message));
    }
}
