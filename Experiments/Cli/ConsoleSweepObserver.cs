using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Running;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator.Server;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// Shows a sweep's progress. On a terminal: a live Spectre.Console display with the sweep's bar
/// and ETA and one line per active run (round, accuracy, rounds per second). Otherwise (CI,
/// pipes): one plain log line per started, finished or failed run.
/// </summary>
public sealed class ConsoleSweepObserver : ISweepObserver
{
    private readonly IAnsiConsole _console;
    private readonly bool _live;
    private readonly ConcurrentDictionary<string, RunLine> _active = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _total;
    private int _done;
    private ProgressContext? _context;
    private ProgressTask? _sweepTask;

    /// <summary>Creates the observer; <paramref name="live"/> selects the live display.</summary>
    public ConsoleSweepObserver(IAnsiConsole console, bool live)
    {
        _console = console;
        _live = live;
    }

    /// <summary>Runs <paramref name="work"/> inside the live display (or directly in plain mode).</summary>
    public async Task<T> WithDisplayAsync<T>(Func<Task<T>> work)
    {
        if (!_live)
        {
            return await work().ConfigureAwait(false);
        }

        return await _console.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                _context = context;
                return await work().ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void SweepStarted(SweepPlan plan, SweepCensus census)
    {
        int toRun = census.ToRun;
        _total = toRun;
        string message = $"sweep '{plan.Name}': {English.Count(plan.Runs.Length, "run")}: {census.Complete} complete, " +
            $"{census.Incomplete} left incomplete by an earlier attempt, {census.New} new; running {toRun}";
        if (_context is not null)
        {
            _console.MarkupLine(Markup.Escape(message));
            _sweepTask = _context.AddTask("sweep", maxValue: Math.Max(1, toRun));
        }
        else
        {
            _console.WriteLine(message);
        }

        foreach (var (runId, reason) in census.Corrupt)
        {
            _console.WriteLine($"{runId}: incomplete (corrupt: {reason}); it is run again");
        }
    }

    /// <inheritdoc />
    public void RunStarted(RunPlan run)
    {
        var line = new RunLine(Stopwatch.StartNew(), _context?.AddTask(Markup.Escape(run.Id), maxValue: run.Spec.Training.Rounds));
        _active[run.Id] = line;
        if (_context is null)
        {
            _console.WriteLine($"[{Timestamp()}] start {run.Id}");
        }
    }

    /// <inheritdoc />
    public void RunProgressed(RunPlan run, RunProgress progress)
    {
        if (_active.TryGetValue(run.Id, out var line) && line.Task is { } task)
        {
            double rate = progress.RoundsCompleted / Math.Max(1e-9, line.Clock.Elapsed.TotalSeconds);
            string accuracy = double.IsNaN(progress.LastAccuracy) ? "-" : (100 * progress.LastAccuracy).ToString("F1", CultureInfo.InvariantCulture) + "%";
            task.Description = Markup.Escape($"{run.Id}  round {progress.RoundsCompleted}/{progress.TotalRounds}  acc {accuracy}  {rate:F0} rounds/s");
            task.Value = progress.RoundsCompleted;
        }
    }

    /// <inheritdoc />
    public void RunCompleted(RunPlan run, RunResult result)
    {
        var state = RunState.Of(result, run.Spec.Training.Rounds);
        string seconds = $"{result.Elapsed.TotalSeconds:F1} s";
        string explained = state.Reason.Length == 0 ? state.ToString() : $"{state}; {state.Reason}";
        if (state.Degenerate)
        {
            // The final accuracy is the initial model's: printed plainly it would pass for a result.
            string why = state.Reason.Length == 0 ? "" : $"  {explained}";
            Finish(run, $"DEGENERATE {run.Id}: all {state.Summary!.Rounds} aggregations failed, the model never moved (accuracy {100 * result.Final.TestAccuracy:F1}% is the initial model's)  {seconds}{why}", "red");
        }
        else
        {
            string detail = state.Detail.Length == 0 ? "" : $"  {explained}";
            Finish(run, $"done  {run.Id}  accuracy {100 * result.Final.TestAccuracy:F1}%  {seconds}{detail}", detail.Length == 0 ? null : "yellow");
        }
    }

    /// <inheritdoc />
    public void RunFailed(RunPlan run, Exception error) => Finish(run, $"FAILED {run.Id}: {error.Message}");

    private void Finish(RunPlan run, string message, string? colour = null)
    {
        if (_active.TryRemove(run.Id, out var line) && line.Task is { } task)
        {
            task.StopTask();
        }

        int done = Interlocked.Increment(ref _done);
        if (_sweepTask is not null)
        {
            _sweepTask.Increment(1);
            _sweepTask.Description = $"sweep {done}/{_total}";
            _console.MarkupLine(Coloured(message, colour));
        }
        else
        {
            _console.MarkupLine(Coloured($"[{Timestamp()}] [{done}/{_total}] {message}", colour));
        }
    }

    /// <summary>Spectre markup of <paramref name="text"/>, in <paramref name="colour"/> when given (dropped where the output has no colours).</summary>
    internal static string Coloured(string text, string? colour) => colour is null ? Markup.Escape(text) : $"[{colour}]{Markup.Escape(text)}[/]";

    private string Timestamp() => _clock.Elapsed.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private sealed record RunLine(Stopwatch Clock, ProgressTask? Task);
}
