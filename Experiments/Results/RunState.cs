using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ByzantineSim.Simulator.Server;

namespace ByzantineSim.Experiments.Results;

/// <summary>Where a run stands in the results folder.</summary>
public enum RunStatus
{
    /// <summary>Never started: no folder.</summary>
    Pending,

    /// <summary>Started but not finished (interrupted or killed), or its files are damaged: it is rerun.</summary>
    Incomplete,

    /// <summary>Finished: its summary names this exact spec and its files read back.</summary>
    Complete,
}

/// <summary>The typed content of a run's <c>summary.json</c>, as the readers of a results folder need it.</summary>
/// <param name="SpecHash">Hash of the spec the run ran.</param>
/// <param name="Rounds">Rounds T, each one aggregation.</param>
/// <param name="FinalAccuracy">Final test accuracy (NaN when it diverged).</param>
/// <param name="BestAccuracy">Best test accuracy (NaN when none was finite).</param>
/// <param name="FailedAggregations">Rounds whose aggregation refused its inputs (the model was kept).</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="Compute">Seconds of honest local training.</param>
/// <param name="Attack">Seconds of Byzantine training and crafting.</param>
/// <param name="Aggregation">Seconds of aggregation and the server step.</param>
/// <param name="Evaluation">Seconds of test-set evaluation.</param>
public sealed record RunSummary(
    string SpecHash, int Rounds, double FinalAccuracy, double BestAccuracy, int FailedAggregations,
    double Seconds, double Compute, double Attack, double Aggregation, double Evaluation)
{
    /// <summary>Rounds in which the attack threw, so its identities sent nothing (not a chosen silence).</summary>
    public int AttackFailures { get; init; }

    /// <summary>What the attack threw the first time (type and message), or null.</summary>
    public string? AttackFailure { get; init; }

    /// <summary>
    /// Honest updates lost to the machine (a computation that threw, or the wall-clock
    /// <c>server.round_timeout</c>), not to a simulated fault: the run is not reproducible.
    /// </summary>
    public int LostHonestUpdates { get; init; }

    /// <summary>The first of them ("round 0, client 1: reason"), or null.</summary>
    public string? LostHonestUpdate { get; init; }

    /// <summary>The exception in full (with its stack) behind <see cref="LostHonestUpdate"/> when it was one, or null.</summary>
    public string? LostHonestUpdateTrace { get; init; }
}

/// <summary>
/// A run's status as every command shows it: <c>pending</c>, <c>incomplete</c>,
/// <c>incomplete (corrupt: reason)</c>, <c>complete</c>, <c>complete (N of R aggregations failed)</c>,
/// or <c>degenerate</c> (complete, but every aggregation failed: the model never moved).
/// </summary>
/// <param name="Status">Pending, incomplete (rerun) or complete (kept).</param>
/// <param name="Corruption">Why the run's files were not accepted (null when they were, or are simply unfinished).</param>
/// <param name="Summary">The summary of a complete run.</param>
public sealed record RunState(RunStatus Status, string? Corruption, RunSummary? Summary)
{
    /// <summary>The status word written to <c>summary.json</c> and <c>runs.csv</c>.</summary>
    public const string DegenerateWord = "degenerate";

    /// <summary>Why the last attempt threw, from <see cref="ResultsStore.FailureFile"/> (null when it did not, or finished).</summary>
    public string? Failure { get; init; }

    /// <summary>Complete, but no aggregation succeeded.</summary>
    public bool Degenerate => Summary is { Rounds: > 0 } s && s.FailedAggregations >= s.Rounds;

    /// <summary>The one-word status: pending, incomplete, complete or degenerate.</summary>
    public string Word => Status == RunStatus.Complete && Degenerate ? DegenerateWord : Status.ToString().ToLowerInvariant();

    /// <summary>
    /// What qualifies the word ("3 of 8 aggregations failed", "the attack failed in 8 of 8
    /// rounds", "corrupt: ..."), or "" when nothing does.
    /// </summary>
    public string Detail => Corruption is not null ? $"corrupt: {Corruption}"
        : Failure is not null ? $"failed: {Failure}"
        : Summary is { } s ? string.Join("; ", new[]
        {
            s.FailedAggregations > 0 && !Degenerate ? string.Create(CultureInfo.InvariantCulture, $"{s.FailedAggregations} of {s.Rounds} aggregations failed") : "",
            s.AttackFailures > 0 ? string.Create(CultureInfo.InvariantCulture, $"the attack failed in {s.AttackFailures} of {s.Rounds} rounds") : "",
            s.LostHonestUpdates > 0 ? string.Create(CultureInfo.InvariantCulture, $"not reproducible: {s.LostHonestUpdates} honest update{(s.LostHonestUpdates == 1 ? "" : "s")} lost") : "",
        }.Where(part => part.Length > 0))
        : "";

    /// <summary>
    /// What a status leaves out because it is long: the first honest update lost to the machine
    /// ("first lost update: round 0, client 1: IOException: ..."), or "".
    /// </summary>
    public string Reason => Summary?.LostHonestUpdate is { } first ? $"first lost update: {first}" : "";

    /// <summary>The status as shown to users, e.g. <c>complete (3 of 8 aggregations failed)</c>.</summary>
    public override string ToString() => Detail.Length == 0 ? Word : $"{Word} ({Detail})";

    /// <summary>The state of a run that just finished with <paramref name="result"/>.</summary>
    public static RunState Of(RunResult result, int rounds)
    {
        var firstLost = result.Rounds.FirstOrDefault(r => r.LostHonestReason is not null);
        return new(RunStatus.Complete, null, new RunSummary(
            "", rounds, result.Final.TestAccuracy, double.NaN, result.Rounds.Count(r => r.AggregationFailed),
            result.Elapsed.TotalSeconds, double.NaN, double.NaN, double.NaN, double.NaN)
        {
            AttackFailures = result.Rounds.Count(r => r.AttackFailure is not null),
            AttackFailure = result.Rounds.Select(r => r.AttackFailure).FirstOrDefault(f => f is not null),
            LostHonestUpdates = result.Rounds.Sum(r => r.LostHonest),
            LostHonestUpdate = firstLost is null ? null : string.Create(CultureInfo.InvariantCulture, $"round {firstLost.Round}, {firstLost.LostHonestReason}"),
            LostHonestUpdateTrace = firstLost?.LostHonestTrace,
        });
    }

    /// <summary>Reads the run in <paramref name="folder"/>, expected to hold results of the spec with hash <paramref name="specHash"/>.</summary>
    public static RunState Read(string folder, string specHash)
    {
        if (!Directory.Exists(folder))
        {
            return new RunState(RunStatus.Pending, null, null);
        }

        string summaryPath = Path.Combine(folder, ResultsStore.SummaryFile);
        if (!File.Exists(summaryPath))
        {
            // Interrupted (the summary goes last), or failed, and then the failure says why.
            string failurePath = Path.Combine(folder, ResultsStore.FailureFile);
            string? failure = File.Exists(failurePath) ? File.ReadLines(failurePath).FirstOrDefault() : null;
            return new RunState(RunStatus.Incomplete, null, null) { Failure = string.IsNullOrWhiteSpace(failure) ? null : failure };
        }

        try
        {
            var summary = ParseSummary(File.ReadAllText(summaryPath));
            if (summary.SpecHash != specHash)
            {
                throw new InvalidDataException($"{ResultsStore.SummaryFile} is of another spec ({summary.SpecHash})");
            }

            CheckMetrics(Path.Combine(folder, ResultsStore.MetricsFile), summary.Rounds);
            if (!File.Exists(Path.Combine(folder, ResultsStore.SpecFile)))
            {
                throw new InvalidDataException($"{ResultsStore.SpecFile} is missing");
            }

            return new RunState(RunStatus.Complete, null, summary);
        }
        catch (InvalidDataException ex)
        {
            return new RunState(RunStatus.Incomplete, ex.Message, null);
        }
        catch (IOException ex)
        {
            return new RunState(RunStatus.Incomplete, $"unreadable: {ex.Message}", null);
        }
    }

    /// <summary>Parses a summary, throwing <see cref="InvalidDataException"/> with the first problem.</summary>
    public static RunSummary ParseSummary(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{ResultsStore.SummaryFile} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{ResultsStore.SummaryFile} is not valid JSON ({ex.Message})", ex);
        }

        var split = Typed(root, "time_split_seconds", JsonValueKind.Object, "an object") as JsonObject;
        return new RunSummary(
            Text(root, "spec_hash") ?? throw Missing("spec_hash"),
            Integer(root, "rounds") ?? throw Missing("rounds"),
            Number(root, "final_test_accuracy") ?? double.NaN,
            Number(root, "best_test_accuracy") ?? double.NaN,
            Integer(root, "failed_aggregations") ?? 0,
            Number(root, "seconds") ?? double.NaN,
            Number(split, "compute") ?? double.NaN,
            Number(split, "attack") ?? double.NaN,
            Number(split, "aggregation") ?? double.NaN,
            Number(split, "evaluation") ?? double.NaN)
        {
            AttackFailures = Integer(root, "attack_failures") ?? 0,
            AttackFailure = Text(root, "attack_failure"),
            LostHonestUpdates = Integer(root, "lost_honest_updates") ?? 0,
            LostHonestUpdate = Text(root, "lost_honest_update"),
            LostHonestUpdateTrace = Text(root, "lost_honest_update_trace"),
        };
    }

    private static InvalidDataException Missing(string key) => new($"{ResultsStore.SummaryFile} has no {key}");

    private static string? Text(JsonObject? parent, string key) => Typed(parent, key, JsonValueKind.String, "a string")?.GetValue<string>();

    private static double? Number(JsonObject? parent, string key) => Typed(parent, key, JsonValueKind.Number, "a number")?.GetValue<double>();

    private static int? Integer(JsonObject? parent, string key) => Typed(parent, key, JsonValueKind.Number, "an integer") is { } node
        ? node.AsValue().TryGetValue(out int value) ? value : throw Wrong(key, node, "an integer")
        : null;

    // The member when it has the expected JSON kind, null when absent or null; any other kind is corruption.
    private static JsonNode? Typed(JsonObject? parent, string key, JsonValueKind kind, string wanted)
    {
        var node = parent?[key];
        return node is null || node.GetValueKind() == kind ? node : throw Wrong(key, node, wanted);
    }

    private static InvalidDataException Wrong(string key, JsonNode node, string wanted) =>
        new($"{ResultsStore.SummaryFile}: {key} is {Describe(node)}, expected {wanted}");

    private static string Describe(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => $"the string {node.ToJsonString()}",
        JsonValueKind.Number => $"the number {node.ToJsonString()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => node.ToJsonString(),
    };

    // metrics.csv holds numbers only (no quoting): a header, then one row per evaluation up to the last round.
    private static void CheckMetrics(string path, int rounds)
    {
        string name = ResultsStore.MetricsFile;
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{name} is missing");
        }

        var lines = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"{name} is empty");
        }

        var header = lines[0].Split(',');
        if (header is not ["round", "train_loss", "test_accuracy", "test_loss", ..])
        {
            throw new InvalidDataException($"{name} does not start with the header round,train_loss,test_accuracy,test_loss");
        }

        if (lines.Length == 1)
        {
            throw new InvalidDataException($"{name} has no rows");
        }

        int last = -1;
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length
                || !int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out last)
                || !cells.Skip(1).All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                throw new InvalidDataException($"{name}: line {i + 1} is not {header.Length} numbers");
            }
        }

        if (last != rounds)
        {
            throw new InvalidDataException($"{name} ends at round {last} of {rounds}");
        }
    }
}
