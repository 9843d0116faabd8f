using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>A plug-in choice: its registry name and its options as canonical text.</summary>
/// <param name="Name">Registry name.</param>
/// <param name="Options">Option values by key (lists comma-joined), sorted by key.</param>
public sealed record PluginSpec(string Name, ImmutableSortedDictionary<string, string> Options)
{
    /// <summary>A plug-in with no options.</summary>
    public static PluginSpec Named(string name) => new(name, ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>Short display form, e.g. <c>gaussian(sigma=200)</c>.</summary>
    public string Display => Options.IsEmpty ? Name : $"{Name}({string.Join(", ", Options.Select(o => $"{o.Key}={o.Value}"))})";

    /// <inheritdoc />
    public bool Equals(PluginSpec? other) =>
        other is not null && other.Name == Name && other.Options.SequenceEqual(Options);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Options.Count);
}

/// <summary>Optimisation settings of a run.</summary>
/// <param name="Rounds">Rounds T.</param>
/// <param name="BatchSize">Minibatch size.</param>
/// <param name="LearningRate">Initial learning rate.</param>
/// <param name="Milestones">Rounds where the rate is multiplied by <paramref name="Gamma"/>.</param>
/// <param name="Gamma">Step decay factor.</param>
/// <param name="WeightDecay">L2 coefficient.</param>
/// <param name="WorkerMomentum">Worker momentum beta.</param>
/// <param name="MomentumForm">Average or sum form of worker momentum.</param>
/// <param name="ServerMomentum">Server momentum beta.</param>
/// <param name="EvalEvery">Evaluation period in rounds.</param>
/// <param name="Algorithm">One gradient per round (dsgd) or local steps (fedavg).</param>
/// <param name="LocalSteps">Local SGD steps per round (fedavg).</param>
/// <param name="LocalLearningRate">Clients' local step size (fedavg).</param>
/// <param name="ClipNorm">Client-side gradient clipping bound; 0 disables it.</param>
/// <param name="Participation">Share of clients sampled per round.</param>
/// <param name="Send">An update the server steps with, or the model (fedavg: the server averages models).</param>
public sealed record TrainingSpec(
    int Rounds,
    int BatchSize,
    double LearningRate,
    ImmutableArray<int> Milestones,
    double Gamma,
    double WeightDecay,
    double WorkerMomentum,
    MomentumForm MomentumForm,
    double ServerMomentum,
    int EvalEvery,
    LocalMode Algorithm,
    int LocalSteps,
    double LocalLearningRate,
    double ClipNorm,
    double Participation,
    ClientSends Send)
{
    /// <summary>Crop and flip of the clients' training samples. <value>none</value></summary>
    public Clients.Data.Augmentation Augmentation { get; init; } = Clients.Data.Augmentation.None;

    /// <summary>Equal weights, or each update weighted by its client's sample count (fedavg). <value>None</value></summary>
    public UpdateWeighting Weighting { get; init; } = UpdateWeighting.None;

    /// <summary>Label smoothing epsilon of the clients' training loss; 0 is plain cross-entropy. <value>0</value></summary>
    public double LabelSmoothing { get; init; }

    /// <summary>The simulator's settings of this spec.</summary>
    public TrainingSettings ToSettings() =>
        new(Rounds, BatchSize, new LearningRateSchedule(LearningRate, Milestones, Gamma), WeightDecay, WorkerMomentum, MomentumForm, ServerMomentum, EvalEvery)
        {
            Algorithm = Algorithm,
            LocalSteps = LocalSteps,
            LocalLearningRate = LocalLearningRate,
            ClipNorm = ClipNorm,
            Participation = Participation,
            SendModel = Send == ClientSends.Model,
            Augmentation = Augmentation,
            Weighting = Weighting,
            LabelSmoothing = LabelSmoothing,
        };

    /// <inheritdoc />
    public bool Equals(TrainingSpec? other) =>
        other is not null && Canonical.Training(this) == Canonical.Training(other);

    /// <inheritdoc />
    public override int GetHashCode() => Canonical.Training(this).GetHashCode(StringComparison.Ordinal);
}

/// <summary>A fully resolved run: every default filled in, every name checked.</summary>
/// <param name="Seed">Root seed.</param>
/// <param name="Data">Data set.</param>
/// <param name="Partition">Partitioner.</param>
/// <param name="Model">Model.</param>
/// <param name="Clients">Total clients n.</param>
/// <param name="Byzantine">Byzantine clients f.</param>
/// <param name="Training">Optimisation settings.</param>
/// <param name="PreAggregators">Pre-aggregation steps, in order.</param>
/// <param name="Aggregator">The aggregation rule.</param>
/// <param name="Attack">The attack.</param>
/// <param name="Omniscient">Threat model: the coalition sees the honest updates.</param>
/// <param name="KnowsAggregator">Threat model: the coalition knows the pipeline.</param>
/// <param name="NonFinite">Server policy for NaN/Inf updates.</param>
/// <param name="RoundTimeoutSeconds">Server safety deadline.</param>
/// <param name="Device">The compute device the spec asks for (checked when read).</param>
/// <param name="Compression">How honest clients compress their updates.</param>
/// <param name="PrivacyClip">Client-side DP clipping bound; 0 disables DP.</param>
/// <param name="PrivacyNoise">Client-side DP noise multiplier.</param>
/// <param name="DeadlineSeconds">Simulated round deadline (+Infinity: none).</param>
/// <param name="Faults">Simulated faults of honest clients.</param>
public sealed record RunSpec(
    long Seed,
    PluginSpec Data,
    PluginSpec Partition,
    PluginSpec Model,
    int Clients,
    int Byzantine,
    TrainingSpec Training,
    ImmutableArray<PluginSpec> PreAggregators,
    PluginSpec Aggregator,
    PluginSpec Attack,
    bool Omniscient,
    bool KnowsAggregator,
    NonFinitePolicy NonFinite,
    double RoundTimeoutSeconds,
    ComputeDevice Device,
    PluginSpec Compression,
    double PrivacyClip,
    double PrivacyNoise,
    double DeadlineSeconds,
    Simulator.Faults.FaultSettings Faults)
{
    /// <summary>The server's own data set (FLTrust's root data), or null. <value>null</value></summary>
    public ServerDataSpec? ServerData { get; init; }

    /// <summary>The peer-to-peer graph and mixing rule, or null for the star (one server). <value>null</value></summary>
    public Simulator.Peers.TopologySettings? Topology { get; init; }

    /// <summary>Asynchronous training in simulated time (FedAsync, FedBuff), or null for synchronous rounds. <value>null</value></summary>
    public Simulator.Asynchrony.AsynchronySettings? Asynchrony { get; init; }

    /// <summary>Which clients are Byzantine in each round, and whether the server is told their number. <value>fixed</value></summary>
    public IdentitySettings Identities { get; init; } = IdentitySettings.Fixed;

    /// <summary>Attacker groups of a mixed population (then <see cref="Attack"/> is <c>mixed</c>), or empty. <value>empty</value></summary>
    public ImmutableArray<AttackGroupSpec> AttackGroups { get; init; } = [];

    /// <summary>Honest clients with degraded data, or null. <value>null</value></summary>
    public UnreliableSettings? Unreliable { get; init; }

    /// <summary>Uniform label noise added to the clients' data (alpha noisy examples per clean one), or null. <value>null</value></summary>
    public Clients.Partitioning.LabelDilution? LabelDilution { get; init; }

    /// <summary>The canonical YAML text of the run: what <c>spec.yaml</c> holds and what the id hashes.</summary>
    public string ToCanonicalYaml() => Canonical.Run(this);

    /// <summary>The stable id: the first 12 hex digits of SHA-256 over <see cref="ToCanonicalYaml"/>.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalYaml())))[..12];

    /// <inheritdoc />
    public bool Equals(RunSpec? other) => other is not null && other.ToCanonicalYaml() == ToCanonicalYaml();

    /// <inheritdoc />
    public override int GetHashCode() => ToCanonicalYaml().GetHashCode(StringComparison.Ordinal);
}

/// <summary>Canonical text of specs: fixed key order, invariant number formatting.</summary>
internal static class Canonical
{
    public static string Run(RunSpec spec)
    {
        var text = new StringBuilder();
        text.Append("seed: ").Append(Number(spec.Seed)).Append('\n');
        Plugin(text, "data", spec.Data);
        Plugin(text, "partition", spec.Partition);
        Plugin(text, "model", spec.Model);
        text.Append("clients:\n  n: ").Append(spec.Clients).Append("\n  f: ").Append(spec.Byzantine).Append('\n');
        text.Append("training:\n").Append(Training(spec.Training));
        text.Append("pre_aggregators:");
        if (spec.PreAggregators.IsEmpty)
        {
            text.Append(" []\n");
        }
        else
        {
            text.Append('\n');
            foreach (var step in spec.PreAggregators)
            {
                text.Append("  - ").Append(Inline(step)).Append('\n');
            }
        }

        Plugin(text, "aggregator", spec.Aggregator);

        // A mixed population writes its groups under adversary instead of one attack.
        if (spec.AttackGroups.IsEmpty)
        {
            Plugin(text, "attack", spec.Attack);
        }

        Plugin(text, "compression", spec.Compression);
        text.Append("privacy:\n  clip: ").Append(Number(spec.PrivacyClip))
            .Append("\n  noise_multiplier: ").Append(Number(spec.PrivacyNoise)).Append('\n');
        text.Append("threat:\n  omniscient: ").Append(Bool(spec.Omniscient))
            .Append("\n  knows_aggregator: ").Append(Bool(spec.KnowsAggregator)).Append('\n');

        // Written only when not the default, so that runs of fixed identities keep the ids they had before.
        if (!spec.Identities.ServerKnowsCount)
        {
            text.Append("  server_knows_count: false\n");
        }

        Adversary(text, spec);
        Unreliable(text, spec.Unreliable);
        LabelDilution(text, spec.LabelDilution);
        text.Append("server:\n  non_finite: ").Append(SpecWords.NonFinite.Word(spec.NonFinite))
            .Append("\n  round_timeout: ").Append(Number(spec.RoundTimeoutSeconds)).Append('\n');

        // Written only when set, so that runs without faults keep the ids they had before faults existed.
        if (double.IsFinite(spec.DeadlineSeconds))
        {
            text.Append("  deadline: ").Append(Number(spec.DeadlineSeconds)).Append('\n');
        }

        Faults(text, spec.Faults);

        // Written only when set, so that runs without server data keep the ids they had before it existed.
        if (spec.ServerData is { } root)
        {
            text.Append("server_data:\n  size: ").Append(root.Size)
                .Append("\n  source: ").Append(SpecWords.ServerDataSource.Word(root.Source))
                .Append("\n  seed: ").Append(Number(root.Seed)).Append('\n');
        }

        Topology(text, spec.Topology);
        Asynchrony(text, spec.Asynchrony);
        text.Append("device: ").Append(SpecWords.Device.Word(spec.Device)).Append('\n');
        return text.ToString();
    }

    // Written only when set, so that star runs keep the ids they had before peer-to-peer runs existed;
    // only the options the graph's kind reads are written.
    private static void Topology(StringBuilder text, Simulator.Peers.TopologySettings? topology)
    {
        if (topology is null)
        {
            return;
        }

        var kind = topology.Kind;
        text.Append("topology:\n  name: ").Append(TopologyReader.Names.Word(kind)).Append('\n');
        if (kind is Simulator.Peers.TopologyKind.ErdosRenyi or Simulator.Peers.TopologyKind.TimeVarying)
        {
            text.Append("  p: ").Append(Number(topology.Probability)).Append('\n');
        }

        if (kind == Simulator.Peers.TopologyKind.RandomRegular)
        {
            text.Append("  k: ").Append(topology.Degree).Append('\n');
        }

        if (kind == Simulator.Peers.TopologyKind.TimeVarying)
        {
            text.Append("  every: ").Append(topology.Every).Append('\n');
        }

        text.Append("  seed: ").Append(Number(unchecked((long)topology.Seed))).Append('\n'); // the mixing rule is the aggregator's entry
        if (topology.Transfer is { } transfer)
        {
            text.Append("  transfer:\n    samples: ").Append(transfer.Samples)
                .Append("\n    epochs: ").Append(transfer.Epochs)
                .Append("\n    learning_rate: ").Append(Number(transfer.LearningRate))
                .Append("\n    batch_size: ").Append(transfer.BatchSize)
                .Append("\n    seed: ").Append(Number(unchecked((long)transfer.Seed))).Append('\n');
        }
    }

    // Written only when set, so that synchronous runs keep the ids they had before asynchrony existed;
    // only the options the mode and the functions read are written.
    private static void Asynchrony(StringBuilder text, Simulator.Asynchrony.AsynchronySettings? settings)
    {
        if (settings is null)
        {
            return;
        }

        text.Append("asynchrony:\n  mode: ").Append(AsynchronyReader.Modes.Word(settings.Mode)).Append('\n');
        text.Append(settings.Mode switch
        {
            Simulator.Asynchrony.AsyncMode.FedBuff => $"  buffer: {settings.Buffer}\n",
            Simulator.Asynchrony.AsyncMode.FedAsync => $"  mixing: {Number(settings.Mixing)}\n",
            _ => "",
        });
        bool sync = settings.Mode == Simulator.Asynchrony.AsyncMode.Sync; // sync reads neither staleness nor Byzantine timing
        var staleness = settings.Staleness;
        if (!sync)
        {
            text.Append("  staleness:\n    name: ").Append(AsynchronyReader.Staleness.Word(staleness.Kind)).Append('\n');
            text.Append(staleness.Kind == Simulator.Asynchrony.StalenessKind.Constant ? "" : $"    a: {Number(staleness.A)}\n");
            text.Append(staleness.Kind == Simulator.Asynchrony.StalenessKind.Hinge ? $"    b: {Number(staleness.B)}\n" : "");
        }

        Delay(text, "compute", settings.Compute, settings.ComputeSpread);
        Delay(text, "latency", settings.Latency, settings.LatencySpread);
        if (!sync)
        {
            text.Append("  byzantine_timing: ").Append(AsynchronyReader.Timings.Word(settings.ByzantineTiming)).Append('\n');
            text.Append(settings.ByzantineTiming == Simulator.Asynchrony.ByzantineTiming.Stale ? $"  byzantine_lag: {settings.ByzantineLag}\n" : "");
        }

        text.Append("  seed: ").Append(Number(unchecked((long)settings.Seed))).Append('\n');
    }

    private static void Delay(StringBuilder text, string key, Simulator.Faults.DelayDistribution delay, double spread)
    {
        text.Append("  ").Append(key).Append(":\n    delay: ").Append(SpecWords.Delay.Word(delay.Kind)).Append('\n');
        text.Append(delay.Kind == Simulator.Faults.DelayKind.Uniform
            ? $"    low: {Number(delay.Low)}\n    high: {Number(delay.High)}\n"
            : $"    mean: {Number(delay.Mean)}\n");
        text.Append("    spread: ").Append(Number(spread)).Append('\n');
    }

    // Written only when identities change or groups are given, so that existing runs keep their ids.
    private static void Adversary(StringBuilder text, RunSpec spec)
    {
        var identities = spec.Identities;
        if (!identities.Changes && spec.AttackGroups.IsEmpty)
        {
            return;
        }

        text.Append("adversary:\n  identities: ").Append(SpecWords.Identities.Word(identities.Mode)).Append('\n');
        text.Append(identities.Mode switch
        {
            IdentityMode.Rotating => $"  period: {identities.Period}\n",
            IdentityMode.Random when identities.Fraction > 0 => $"  fraction: {Number(identities.Fraction)}\n",
            IdentityMode.Random => $"  count: {identities.Count}\n",
            _ => "",
        });
        if (!spec.AttackGroups.IsEmpty)
        {
            text.Append("  groups:\n");
            foreach (var group in spec.AttackGroups)
            {
                text.Append("    - {name: ").Append(Value(group.Name)).Append(", count: ").Append(group.Count)
                    .Append(", attack: ").Append(Inline(group.Attack)).Append("}\n");
            }
        }
    }

    // Written only when given, so that runs without unreliable clients keep their ids.
    private static void Unreliable(StringBuilder text, UnreliableSettings? unreliable)
    {
        if (unreliable is null)
        {
            return;
        }

        text.Append("unreliable:\n").Append(unreliable.Fraction > 0 ? $"  fraction: {Number(unreliable.Fraction)}\n" : $"  count: {unreliable.Count}\n")
            .Append("  degradation: ").Append(SpecWords.Degradation.Word(unreliable.Kind)).Append('\n')
            .Append("  level: ").Append(Number(unreliable.Level)).Append('\n');

        // The per-batch draws are written only away from 1, so that earlier runs keep their ids.
        if (unreliable.TrainFraction < 1)
        {
            text.Append("  train_fraction: ").Append(Number(unreliable.TrainFraction)).Append('\n');
        }

        if (unreliable.DegradedFraction < 1)
        {
            text.Append("  degraded_fraction: ").Append(Number(unreliable.DegradedFraction)).Append('\n');
        }
    }

    // Written only when alpha > 0, so that runs without it (or with alpha 0) keep their ids.
    private static void LabelDilution(StringBuilder text, Clients.Partitioning.LabelDilution? dilution)
    {
        if (dilution is null)
        {
            return;
        }

        text.Append("label_dilution:\n  alpha: ").Append(dilution.Alpha)
            .Append("\n  clients: ").Append(dilution.Clients is { } k ? Number(k) : "all").Append('\n');
        if (dilution.FreshLabels)
        {
            // Written only when on, so that fixed-label runs keep their ids.
            text.Append("  fresh_labels: true\n");
        }
    }

    private static void Faults(StringBuilder text, Simulator.Faults.FaultSettings faults)
    {
        if (faults == Simulator.Faults.FaultSettings.None)
        {
            return;
        }

        text.Append("faults:\n");
        if (faults.Crash is { } crash)
        {
            text.Append("  crash:\n");
            text.Append(crash.Clients.IsEmpty ? $"    count: {crash.Count}\n" : $"    clients: [{string.Join(", ", crash.Clients)}]\n");
            text.Append("    from_round: ").Append(crash.FromRound).Append('\n');
        }

        if (faults.Stragglers is { } stragglers)
        {
            text.Append("  stragglers:\n");
            text.Append(stragglers.Clients.IsEmpty ? $"    fraction: {Number(stragglers.Fraction)}\n" : $"    clients: [{string.Join(", ", stragglers.Clients)}]\n");
            var delay = stragglers.Delay;
            text.Append("    delay: ").Append(SpecWords.Delay.Word(delay.Kind)).Append('\n');
            text.Append(delay.Kind == Simulator.Faults.DelayKind.Uniform
                ? $"    low: {Number(delay.Low)}\n    high: {Number(delay.High)}\n"
                : $"    mean: {Number(delay.Mean)}\n");
        }

        text.Append("  message_loss: ").Append(Number(faults.MessageLoss)).Append('\n');
    }

    public static string Training(TrainingSpec t) =>
        $"  rounds: {t.Rounds}\n  batch_size: {t.BatchSize}\n  learning_rate: {Number(t.LearningRate)}\n" +
        $"  lr_milestones: [{string.Join(", ", t.Milestones)}]\n  lr_gamma: {Number(t.Gamma)}\n" +
        $"  weight_decay: {Number(t.WeightDecay)}\n  worker_momentum: {Number(t.WorkerMomentum)}\n" +
        $"  momentum_form: {SpecWords.MomentumForm.Word(t.MomentumForm)}\n  server_momentum: {Number(t.ServerMomentum)}\n  eval_every: {t.EvalEvery}\n" +
        $"  algorithm: {SpecWords.Algorithm.Word(t.Algorithm)}\n  local_steps: {t.LocalSteps}\n  local_learning_rate: {Number(t.LocalLearningRate)}\n" +
        $"  clip_norm: {Number(t.ClipNorm)}\n  participation: {Number(t.Participation)}\n  send: {SpecWords.Send.Word(t.Send)}\n" +
        Augmentation(t.Augmentation) + Weighting(t.Weighting) + LabelSmoothing(t.LabelSmoothing);

    // Written only when on, so that runs without it keep the ids they had before it existed.
    private static string LabelSmoothing(double epsilon) =>
        epsilon == 0 ? "" : $"  label_smoothing: {Number(epsilon)}\n";

    // Written only when on, so that unweighted runs keep the ids they had before it existed.
    private static string Weighting(UpdateWeighting weighting) =>
        weighting == UpdateWeighting.None ? "" : $"  weighting: {SpecWords.Weighting.Word(weighting)}\n";

    // Written only when on, so that runs without augmentation keep the ids they had before it existed.
    private static string Augmentation(Clients.Data.Augmentation augmentation) =>
        augmentation.IsNone
            ? ""
            : $"  augmentation:\n    crop_padding: {augmentation.CropPadding}\n    horizontal_flip: {Bool(augmentation.HorizontalFlip)}\n";

    private static void Plugin(StringBuilder text, string key, PluginSpec plugin)
    {
        text.Append(key).Append(":\n  name: ").Append(plugin.Name).Append('\n');
        foreach (var (option, value) in plugin.Options)
        {
            text.Append("  ").Append(option).Append(": ").Append(Value(value)).Append('\n');
        }
    }

    private static string Inline(PluginSpec plugin) =>
        "{name: " + plugin.Name + string.Concat(plugin.Options.Select(o => $", {o.Key}: {Value(o.Value)}")) + "}";

    // Option values are stored as text, lists as "[a, b]"; quote any other text YAML might misread.
    private static string Value(string value) =>
        value.StartsWith('[') && value.EndsWith(']') ? value
        : value.Length == 0 || value.Trim() != value || value.IndexOfAny([':', '#', '{', '}', '[', ']', ',', '\'', '"', '&', '*', '!', '|', '>', '%', '@', '`']) >= 0
            ? $"'{value.Replace("'", "''", StringComparison.Ordinal)}'"
            : value;

    private static string Bool(bool value) => value ? "true" : "false";

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
