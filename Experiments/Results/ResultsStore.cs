using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator.Peers;
using ByzantineSim.Simulator.Server;
using ByzantineSim.Simulator.Setup;
using CsvHelper;

namespace ByzantineSim.Experiments.Results;

/// <summary>
/// The results folder of a sweep: <c>&lt;root&gt;/&lt;sweep&gt;/&lt;run-id&gt;/</c> per run, plus a
/// <c>runs.csv</c> index. Every file is written atomically (<see cref="AtomicFile"/>), and
/// <c>summary.json</c> is written last: a run folder is complete exactly when its summary exists,
/// names the same spec hash and its files read back (<see cref="RunState.Read"/>), so a killed
/// process never leaves a run that looks finished.
/// </summary>
/// <param name="root">The results root, e.g. <c>results</c>.</param>
/// <param name="sweep">The sweep's name, its folder under the root.</param>
/// <param name="files">How files are written (<see cref="AtomicFile.Default"/> unless a test simulates a failing disk).</param>
public sealed class ResultsStore(string root, string sweep, AtomicFile? files = null)
{
    /// <summary>The file whose presence marks a completed run.</summary>
    public const string SummaryFile = "summary.json";

    /// <summary>A run's fully resolved spec, whose hash is its id.</summary>
    public const string SpecFile = "spec.yaml";

    /// <summary>A run's deterministic per-evaluation metrics.</summary>
    public const string MetricsFile = "metrics.csv";

    /// <summary>
    /// Why a run threw before it finished: its reason on the first line, then the exception with
    /// its stack. The run stays incomplete (it is rerun) and says why it failed until then.
    /// </summary>
    public const string FailureFile = "failure.txt";

    /// <summary>A peer-to-peer run's Byzantine-to-honest messages.</summary>
    public const string MessagesFile = "messages.csv";

    /// <summary>A peer-to-peer run's test accuracy of every honest peer at every evaluation.</summary>
    public const string PeersFile = "peers.csv";

    /// <summary>A Bristle run's integrator weights: every selected sender of every honest peer and round.</summary>
    public const string BristleFile = "bristle.csv";

    /// <summary>The columns metrics.csv adds for a peer-to-peer run.</summary>
    public static readonly string[] PeerColumns = ["peer_accuracy_min", "peer_accuracy_max", "consensus_distance"];

    /// <summary>File of an asynchronous run listing every applied arrival (client, times, staleness, weight).</summary>
    public const string ArrivalsFile = "arrivals.csv";

    /// <summary>The column of <c>metrics.csv</c> an asynchronous run adds: the simulated second its step completed.</summary>
    public const string SimulatedTimeColumn = "simulated_seconds";

    /// <summary>The metrics.csv column of the attack success rate (runs with a targeted or backdoor attack only).</summary>
    public const string AttackSuccessColumn = "attack_success_rate";

    /// <summary>The index of the sweep's runs beside them.</summary>
    public const string IndexFile = "runs.csv";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly AtomicFile _files = files ?? AtomicFile.Default;

    /// <summary>The sweep's folder.</summary>
    public string Folder { get; } = Path.Combine(root, sweep);

    /// <summary>The folder of one run.</summary>
    public string RunFolder(string runId) => Path.Combine(Folder, runId);

    /// <summary>Where <paramref name="run"/> stands, read from its folder.</summary>
    public RunState State(RunPlan run) => RunState.Read(RunFolder(run.Id), run.Spec.Hash());

    /// <summary>Where <paramref name="run"/> stands: complete, incomplete (interrupted or corrupt), or never started.</summary>
    public RunStatus Status(RunPlan run) => State(run).Status;

    /// <summary>True when the run's results are complete, read back and belong to this exact spec.</summary>
    public bool IsComplete(RunPlan run) => Status(run) == RunStatus.Complete;

    /// <summary>
    /// Makes this process the only writer of the sweep's folder (creating it) and removes the
    /// temporary files killed processes left; throws <see cref="ResultsLockedException"/> when
    /// another process holds it. Dispose the result to release the folder.
    /// </summary>
    public ResultsLock Claim()
    {
        var claim = ResultsLock.Acquire(Folder);
        AtomicFile.CleanStale(Folder);
        return claim;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the sweep's folder, atomically.</summary>
    public void WriteFile(string name, string text) => _files.Write(Path.Combine(Folder, name), text);

    /// <summary>Removes whatever an interrupted attempt left in the run's folder.</summary>
    public void Reset(RunPlan run)
    {
        string folder = RunFolder(run.Id);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
    }

    /// <summary>Records why a run failed (<see cref="FailureFile"/>): <paramref name="reason"/> on one line, then <paramref name="details"/> (the exception with its stack).</summary>
    public void WriteFailure(RunPlan run, string reason, string details)
    {
        string folder = RunFolder(run.Id);
        Directory.CreateDirectory(folder);
        string line = string.Join(' ', reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        _files.Write(Path.Combine(folder, FailureFile), $"{line}\n\n{details}\n");
    }

    /// <summary>Writes a finished run; <c>summary.json</c> goes last.</summary>
    public void Write(RunPlan run, RunResult result) => Write(run, Render(run, result));

    /// <summary>
    /// Writes a run's files as rendered by <see cref="Render"/> (possibly on another machine), each
    /// atomically, <c>summary.json</c> last so that the run counts as complete only once all are in.
    /// </summary>
    public void Write(RunPlan run, IReadOnlyList<ResultFile> files)
    {
        var names = files.Select(f => f.Name).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count || !names.Contains(SummaryFile) ||
            names.Any(n => n.Length == 0 || n != Path.GetFileName(n) || n.StartsWith('.')))
        {
            throw new ArgumentException($"a run's files must have distinct plain names including {SummaryFile}; got {string.Join(", ", names)}", nameof(files));
        }

        string folder = RunFolder(run.Id);
        Directory.CreateDirectory(folder);
        foreach (var file in files.Where(f => f.Name != SummaryFile).Append(files.First(f => f.Name == SummaryFile)))
        {
            _files.Write(Path.Combine(folder, file.Name), file.Content);
        }
    }

    /// <summary>
    /// <c>topology.csv</c> of a peer-to-peer run: every graph it used (one for a static topology, one
    /// per draw of a time-varying one) from the round it was first used in, one row per peer with its
    /// role, drawing coordinates and neighbours (space-separated ids).
    /// </summary>
    public const string TopologyFile = "topology.csv";

    private static string TopologyCsv(TopologySettings topology, RunSetup setup) => Csv(
        ["first_round", "peer", "role", "x", "y", "neighbours"],
        topology.Graphs(setup.Training.Rounds, setup.TotalClients, setup.ByzantineClients).SelectMany(g =>
        {
            var coordinates = g.Graph.Coordinates();
            return Enumerable.Range(0, g.Graph.Peers).Select(peer => new object[]
            {
                g.FirstRound, peer, g.Graph.IsByzantine(peer) ? "byzantine" : "honest",
                Math.Round(coordinates[peer].X, 6) + 0.0, Math.Round(coordinates[peer].Y, 6) + 0.0, // + 0.0: no "-0"
                string.Join(' ', g.Graph.Neighbours[peer]),
            });
        }));

    /// <summary>
    /// The text of every file of a finished run, <c>summary.json</c> last. Pure: the same run and
    /// result give the same deterministic files wherever they are rendered.
    /// </summary>
    public static IReadOnlyList<ResultFile> Render(RunPlan run, RunResult result)
    {
        var files = new List<ResultFile>();
        void Add(string name, string content) => files.Add(new ResultFile(name, content));
        Add(SpecFile, run.Spec.ToCanonicalYaml());
        // Validation columns appear only when the run held out a validation set, and the attack
        // success rate, last, only under a targeted or backdoor attack: other runs' files stay as they were.
        // aggregated: updates aggregated in the round just before the evaluation (0 for the initial model).
        var aggregated = result.Rounds.ToDictionary(r => r.Round + 1, r => r.Aggregated);
        string[] metricColumns = ["round", "train_loss", "test_accuracy", "test_loss", "aggregated"];
        string[] columns = result.HasValidation ? [.. metricColumns, "validation_accuracy", "validation_loss"] : metricColumns;
        columns = result.HasAttackSuccess ? [.. columns, AttackSuccessColumn] : columns;
        // Peer-to-peer runs only (test_accuracy is then the mean over honest peers): the spread over peers and the consensus distance.
        // Asynchronous runs only (rounds are server steps): the simulated second each evaluated step completed, 0 for the initial model.
        var simulated = result.Rounds.ToDictionary(r => r.Round + 1, r => r.SimulatedSeconds);
        columns = result.PeerToPeer ? [.. columns, .. PeerColumns] : columns;
        Add(MetricsFile, Csv(
            result.Asynchronous ? [.. columns, SimulatedTimeColumn] : columns,
            result.Evaluations.Select(e =>
            {
                object[] row = [e.Round, e.TrainLoss, e.TestAccuracy, e.TestLoss, aggregated.GetValueOrDefault(e.Round)];
                row = result.HasValidation ? [.. row, e.ValidationAccuracy, e.ValidationLoss] : row;
                row = result.HasAttackSuccess ? [.. row, e.AttackSuccessRate] : row;
                row = result.PeerToPeer ? [.. row, e.PeerAccuracyMin, e.PeerAccuracyMax, e.ConsensusDistance] : row;
                return result.Asynchronous ? [.. row, simulated.GetValueOrDefault(e.Round)] : row;
            })));
        if (result.Asynchronous)
        {
            // step: the server step that applied it; staleness = step - base_version; weight: FedAsync's a_t or FedBuff's s(staleness).
            Add(ArrivalsFile, Csv(
                ["step", "client", "byzantine", "start", "arrival", "base_version", "staleness", "weight", "outcome", "versions_held"],
                result.Arrivals.Select(a => new object[]
                {
                    a.Step, a.Client, a.Byzantine ? 1 : 0, a.Start, a.Time, a.BaseVersion, a.Staleness, a.Weight, Snake(a.Outcome.ToString()), a.VersionsHeld,
                })));
        }
        if (result.PeerToPeer)
        {
            // Every vector a Byzantine peer sent an honest neighbour: equivocation shows as one sender, one round, several fingerprints.
            Add(MessagesFile, Csv(
                ["round", "from", "to", "norm", "distance_to_receiver", "fingerprint"],
                result.Messages.Select(m => new object[] { m.Round, m.From, m.To, m.Norm, m.Distance, m.Fingerprint.ToString("x16", CultureInfo.InvariantCulture) })));
        }

        if (result.PeerToPeer)
        {
            // metrics.csv keeps the mean, lowest and highest; which peer falls behind, and whether
            // its classes explain it (clients.csv), needs each peer's own figure.
            Add(PeersFile, Csv(
                ["round", "peer", "test_accuracy"],
                result.Evaluations.SelectMany(e => e.PeerAccuracies.Select((accuracy, peer) => new object[] { e.Round, peer, accuracy }))));
        }

        if (!result.BristleWeights.IsEmpty)
        {
            // Which senders the integrator trusts for which of a peer's classes: own_f1 and sender_f1 are
            // means over the peer's familiar classes; the peer's own layer weighs 1 on every class.
            Add(BristleFile, Csv(
                ["round", "peer", "sender", "byzantine", "own_f1", "sender_f1", "certainty", "familiar_weight", "foreign_weight"],
                result.BristleWeights.Select(b => new object[]
                {
                    b.Round, b.Peer, b.Sender, b.Byzantine ? 1 : 0, b.Weight.OwnF1, b.Weight.SenderF1, b.Weight.Certainty, b.Weight.FamiliarWeight, b.Weight.ForeignWeight,
                })));
        }

        if (result.PeerToPeer && run.Setup.Topology is { } topology)
        {
            Add(TopologyFile, TopologyCsv(topology, run.Setup));
        }

        // The detection columns come last: flagged ids (space-separated) and their counts against
        // the Byzantine ids; empty when the rule does not detect or its aggregation failed.
        Add("rounds.csv", Csv(
            ["round", "train_loss", "sampled", "aggregated", "rejected", "missing", "aggregation_failed", "bits_sent", "crashed", "lost", "straggled", "simulated_seconds", "attack_failed",
                .. DetectionColumns],
            result.Rounds.Select(r => (object[])
            [
                r.Round, r.TrainLoss, r.Sampled, r.Aggregated, r.Rejected, r.Missing, r.AggregationFailed ? 1 : 0, r.BitsSent,
                r.Crashed, r.Lost, r.Straggled, r.SimulatedSeconds, r.AttackFailed,
                .. Detection(r.Detection),
            ])));
        var outcomes = Enum.GetValues<ReplyOutcome>();
        // role: honest, unreliable or byzantine:<group>; byzantine_rounds: rounds the adversary
        // controlled the client (all of them for a fixed Byzantine id; fewer when identities change).
        Add("clients.csv", Csv(
            ["client", "byzantine", "role", "byzantine_rounds", "samples", "class_histogram", .. outcomes.Select(o => Snake(o.ToString()))],
            result.Clients.Select(c => new object[]
                {
                    c.ClientId, c.Byzantine ? 1 : 0, c.Role, c.ByzantineRounds, c.ClassHistogram.Sum(), string.Join(' ', c.ClassHistogram),
                }
                .Concat(outcomes.Select(o => (object)c.Count(o))).ToArray())));
        // Wall-clock figures: useful, but never byte-identical between runs, so kept out of metrics.csv.
        var evaluationSeconds = result.Evaluations.ToDictionary(e => e.Round, e => e.EvaluationSeconds);
        Add("timings.csv", Csv(
            ["round", "elapsed_seconds", "round_seconds", "compute_seconds", "attack_seconds", "aggregation_seconds", "evaluation_seconds"],
            result.Rounds.Select(r => new object[]
            {
                r.Round, r.ElapsedSeconds, r.TrainSeconds, r.ComputeSeconds, r.AttackSeconds, r.AggregationSeconds,
                evaluationSeconds.GetValueOrDefault(r.Round + 1),
            })));

        var final = result.Final;
        var state = RunState.Of(result, run.Spec.Training.Rounds);
        var counts = state.Summary!;
        var summary = new JsonObject
        {
            ["run_id"] = run.Id,
            ["spec_hash"] = run.Spec.Hash(),
            ["status"] = state.Word,
            ["labels"] = new JsonObject(run.Labels.Select(l => KeyValuePair.Create(l.Axis, (JsonNode?)l.Value))),
            ["rounds"] = run.Spec.Training.Rounds,
            ["parameters"] = result.Dimension,
            ["final_test_accuracy"] = Finite(final.TestAccuracy),
            ["final_test_loss"] = Finite(final.TestLoss),
            ["best_test_accuracy"] = Finite(result.Evaluations.Select(e => e.TestAccuracy).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max()),
            ["updates_rejected"] = result.Rounds.Sum(r => r.Rejected),
            ["updates_missing"] = result.Rounds.Sum(r => r.Missing),
            ["failed_aggregations"] = counts.FailedAggregations,
            ["attack_failures"] = counts.AttackFailures,
            ["attack_failure"] = counts.AttackFailure,
            ["lost_honest_updates"] = counts.LostHonestUpdates,
            ["lost_honest_update"] = counts.LostHonestUpdate,
            ["lost_honest_update_trace"] = counts.LostHonestUpdateTrace,
            ["bits_sent_per_round"] = result.Rounds.Length == 0 ? 0 : result.Rounds.Average(r => (double)r.BitsSent),
            ["seconds"] = Math.Round(result.Elapsed.TotalSeconds, 3),
            ["time_split_seconds"] = new JsonObject
            {
                ["compute"] = Math.Round(result.Rounds.Sum(r => r.ComputeSeconds), 3),
                ["attack"] = Math.Round(result.Rounds.Sum(r => r.AttackSeconds), 3),
                ["aggregation"] = Math.Round(result.Rounds.Sum(r => r.AggregationSeconds), 3),
                ["evaluation"] = Math.Round(result.Evaluations.Sum(e => e.EvaluationSeconds), 3),
            },
            ["seconds_per_round"] = Math.Round(result.Elapsed.TotalSeconds / Math.Max(1, run.Spec.Training.Rounds), 5),
        };
        if (result.Asynchronous)
        {
            summary["simulated_seconds"] = result.Rounds.Length == 0 ? 0 : result.Rounds[^1].SimulatedSeconds; // asynchronous runs only
            summary["most_versions_held"] = result.MostVersionsHeld;
        }

        if (result.HasAttackSuccess)
        {
            summary["final_attack_success_rate"] = Finite(final.AttackSuccessRate); // targeted runs only: other summaries keep their keys
        }

        Add(SummaryFile, summary.ToJsonString(Json));
        return files;
    }

    /// <summary>
    /// Rewrites <c>runs.csv</c>: every run of the plan with its status word, axis values, final
    /// accuracy, spec hash, and what qualifies the status (failed aggregations, corruption).
    /// </summary>
    public void WriteIndex(SweepPlan plan)
    {
        Directory.CreateDirectory(Folder);
        var header = new List<string> { "run_id", "status" };
        header.AddRange(plan.Axes);
        header.AddRange(["final_test_accuracy", "spec_hash", "detail"]);
        var rows = plan.Runs.Select(run =>
        {
            var state = State(run);
            var values = new List<object> { run.Id, state.Word };
            values.AddRange(plan.Axes.Select(axis => (object)(run.Labels.FirstOrDefault(l => l.Axis == axis)?.Value ?? "")));
            values.Add(state.Summary is { } summary ? summary.FinalAccuracy : "");
            values.Add(run.Spec.Hash());
            values.Add(state.Detail);
            return values.ToArray();
        });
        _files.Write(Path.Combine(Folder, IndexFile), Csv(header, rows));
    }

    /// <summary>A completed run's final test accuracy from its summary (NaN when unknown or not complete).</summary>
    public double ReadFinalAccuracy(RunPlan run) => State(run).Summary?.FinalAccuracy ?? double.NaN;

    private static string Csv(IEnumerable<string> header, IEnumerable<object[]> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, true))
        {
            csv.WriteRecord([.. header]);
            foreach (var row in rows)
            {
                csv.WriteRecord([.. row.Select(Format)]);
            }
        }

        return text.ToString();
    }

    /// <summary>Culture-invariant, round-trippable text of a value (NaN as "NaN").</summary>
    /// <summary>The columns rounds.csv ends with: a detecting rule's verdicts of the round.</summary>
    public static readonly ImmutableArray<string> DetectionColumns =
        ["flagged", "true_positives", "false_positives", "false_negatives", "flagged_unreliable"];

    private static object[] Detection(RoundDetection? detection) => detection is null
        ? ["", "", "", "", ""]
        : [string.Join(' ', detection.Flagged), detection.TruePositives, detection.FalsePositives, detection.FalseNegatives, string.Join(' ', detection.Unreliable)];

    private static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static JsonNode? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>One file of a run's results: its name in the run's folder and its text.</summary>
/// <param name="Name">File name, e.g. <c>metrics.csv</c>.</param>
/// <param name="Content">Its full text.</param>
public sealed record ResultFile(string Name, string Content);

