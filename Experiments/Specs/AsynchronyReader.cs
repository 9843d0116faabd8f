using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Asynchrony;
using ByzantineSim.Simulator.Faults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads a run's <c>asynchrony</c> (FedAsync or FedBuff in simulated time) and checks it against
/// the rest of the run: K against n and the rule, and the settings an asynchronous run cannot have.
/// </summary>
internal static class AsynchronyReader
{
    /// <summary>The words of <c>asynchrony.mode</c>.</summary>
    public static SpecWords<AsyncMode> Modes { get; } = new(("fedasync", AsyncMode.FedAsync), ("fedbuff", AsyncMode.FedBuff), ("sync", AsyncMode.Sync));

    /// <summary>The words of <c>asynchrony.staleness</c> (or its <c>name</c>).</summary>
    public static SpecWords<StalenessKind> Staleness { get; } = new(("constant", StalenessKind.Constant), ("polynomial", StalenessKind.Polynomial), ("hinge", StalenessKind.Hinge));

    /// <summary>The words of <c>asynchrony.byzantine_timing</c>.</summary>
    public static SpecWords<ByzantineTiming> Timings { get; } = new(("scheduled", ByzantineTiming.Scheduled), ("fresh", ByzantineTiming.Fresh), ("stale", ByzantineTiming.Stale));

    /// <summary>FedAsync's default mixing weight alpha.</summary>
    public const double DefaultMixing = 0.6;

    /// <summary>Reads <c>asynchrony</c>: null when absent (synchronous rounds) or unreadable (the reader has the errors).</summary>
    public static AsynchronySettings? Read(NodeReader reader, MappingView root, long runSeed)
    {
        if (root.Get("asynchrony") is not { } node || reader.Mapping(node, "asynchrony") is not { } view)
        {
            return null;
        }

        view.Require("mode", "asynchrony", $"mode is required: it {Modes.Rule}");

        var mode = view.Word("mode", AsyncMode.FedBuff, Modes);
        int buffer = 1;
        double mixing = 1;
        if (mode == AsyncMode.FedBuff)
        {
            view.Require("buffer", "asynchrony", "buffer is required for fedbuff: the number of updates K the server aggregates per step");

            buffer = view.Scalar("buffer", 1, v => v >= 1 ? null : "must be >= 1");
            Misplaced(reader, view, "mixing", "applies to fedasync only (fedbuff steps with training.learning_rate)");
        }
        else if (mode == AsyncMode.FedAsync)
        {
            mixing = view.Scalar("mixing", DefaultMixing, v => v > 0 && v <= 1 ? null : "must be in (0, 1]");
            Misplaced(reader, view, "buffer", "applies to fedbuff only (fedasync applies each update as it arrives)");
        }
        else
        {
            const string why = "does not apply to sync (every step waits for all n clients, none stale)";
            Misplaced(reader, view, "buffer", why);
            Misplaced(reader, view, "mixing", why);
            Misplaced(reader, view, "staleness", why);
            Misplaced(reader, view, "byzantine_timing", why);
        }

        var staleness = mode == AsyncMode.Sync ? StalenessFunction.Constant : ReadStaleness(reader, view);
        var compute = ReadDelay(reader, view, "compute", new DelayDistribution(DelayKind.Constant, 1, 0, 0));
        var latency = ReadDelay(reader, view, "latency", new DelayDistribution(DelayKind.Constant, 0, 0, 0));
        var timing = mode == AsyncMode.Sync ? ByzantineTiming.Scheduled : view.Word("byzantine_timing", ByzantineTiming.Scheduled, Timings);
        int lag = 0;
        if (timing == ByzantineTiming.Stale)
        {
            view.Require("byzantine_lag", "asynchrony", "byzantine_lag is required for byzantine_timing: stale (how many versions behind the newest the Byzantine clients craft from)");

            lag = view.Scalar("byzantine_lag", 1, v => v >= 1 ? null : "must be >= 1");
        }
        else
        {
            Misplaced(reader, view, "byzantine_lag", "applies to byzantine_timing: stale only");
        }

        ulong seed = unchecked((ulong)view.Scalar("seed", runSeed));
        view.Finish();
        return new AsynchronySettings(mode, buffer, mixing, staleness, compute.Delay, latency.Delay, seed)
        {
            ComputeSpread = compute.Spread,
            LatencySpread = latency.Spread,
            ByzantineTiming = timing,
            ByzantineLag = lag,
        };
    }

    /// <summary>Checks the asynchrony against the population, the rule and the settings an asynchronous run cannot have.</summary>
    public static void Check(NodeReader reader, MappingView root, AsynchronySettings settings, RunSettingsView run)
    {
        var node = root.Get("asynchrony") ?? root.Node;
        void Refuse(string path, string why) => reader.Error(root.Node.Deepest(path) ?? node, path, why + " with asynchrony");
        if (settings.Mode == AsyncMode.FedBuff)
        {
            var bufferNode = (node as YMapping)?["buffer"] ?? node;
            if (settings.Buffer > run.Clients)
            {
                reader.Error(bufferNode, "asynchrony.buffer", $"must be at most clients.n (a buffer holds updates of different clients' jobs; n={run.Clients}, got {settings.Buffer})");
            }
            else if (run.Pipeline is { } pipeline && run.Aggregator is { } aggregator && !pipeline.Accepts(settings.Buffer))
            {
                reader.Error(bufferNode, "asynchrony.buffer",
                    $"must satisfy {aggregator.Requirement} for {aggregator.Name} (the buffer plays the round's role: n=K={settings.Buffer}, f={aggregator.F})");
            }
        }
        else if (settings.Mode == AsyncMode.FedAsync)
        {
            if (run.Aggregator is { } aggregator && (aggregator.Name != RunReader.Defaults.Aggregator || run.PreAggregators))
            {
                reader.Error(root.Get("aggregator") ?? root.Get("pre_aggregators") ?? node, "aggregator",
                    $"must be {RunReader.Defaults.Aggregator} without pre_aggregators for fedasync, which mixes each update alone (x_t = (1 - a) x_t-1 + a x_new); use mode: fedbuff to aggregate a buffer with {aggregator.Name}");
            }

            if (run.ServerMomentum != 0)
            {
                Refuse("training.server_momentum", "must be 0 for fedasync (it mixes models; fedbuff steps with server momentum)");
            }
        }

        if (run.Topology)
        {
            reader.Error(node, "asynchrony", "is not possible with a topology: peers have no server to apply updates as they arrive");
        }

        // The run settings an asynchronous run cannot have, each refused at its own YAML path.
        (bool Set, string Path, string Why)[] unsupported =
        [
            (run.Participation != 1, "training.participation", "must be 1 (every client trains all the time; the buffer decides who counts in a step)"),
            (run.SendsModel, "training.send", "must be delta"),
            (run.Weighted, "training.weighting", "must be none"),
            (run.Faults, "faults", "are not supported (slow clients are the compute and latency distributions)"),
            (run.Deadline, "server.deadline", "is not supported (a step waits for its K arrivals)"),
            (run.ServerData, "server_data", "is not supported"),
            (run.IdentitiesChange, "adversary.identities", "must be fixed"),
            (run.BatchNorm, "model.batch_norm", "must be batch (running statistics, local or aggregated, are not carried between asynchronous jobs)"),
        ];
        foreach (var (set, path, why) in unsupported)
        {
            if (set)
            {
                Refuse(path, why);
            }
        }

        if (run.Attack is { } attack && run.Byzantine > 0 && (attack.Requires.HasFlag(AttackKnowledge.OwnGradients) || attack.Poisoning is not null || attack.Goal is not null))
        {
            reader.Error(root.Node.Deepest("attack") ?? node, "attack",
                $"{attack.Name} is not supported with asynchrony: it needs the Byzantine clients' own training, which asynchronous runs do not model; use an attack on the honest updates (sign-flip, alie, ipm, gaussian, ...)");
        }
    }

    private static StalenessFunction ReadStaleness(NodeReader reader, MappingView view)
    {
        if (view.Get("staleness") is not { } node)
        {
            return StalenessFunction.Constant;
        }

        string path = view.PathOf("staleness");
        if (node is YScalar scalar)
        {
            var kind = Staleness.Parse(scalar.Value);
            if (kind is null)
            {
                reader.Error(node, path, Staleness.Rule);
            }
            else if (kind != StalenessKind.Constant)
            {
                reader.Error(node, path, $"{scalar.Value} needs its parameters: {{name: {scalar.Value}, a: ...{(kind == StalenessKind.Hinge ? ", b: ..." : "")}}}");
            }

            return StalenessFunction.Constant;
        }

        if (reader.Mapping(node, path) is not { } mapping)
        {
            return StalenessFunction.Constant;
        }

        mapping.Require("name", path, $"name is required: it {Staleness.Rule}");

        var name = mapping.Word("name", StalenessKind.Constant, Staleness);
        double a = 0, b = 0;
        if (name != StalenessKind.Constant)
        {
            mapping.Require("a", path, "a is required (the exponent of polynomial, the slope of hinge)");

            a = mapping.Scalar("a", 1.0, Checks.PositiveFinite);
        }

        if (name == StalenessKind.Hinge)
        {
            mapping.Require("b", path, "b is required (the staleness up to which hinge keeps weight 1)");

            b = mapping.Scalar("b", 0.0, Checks.NonNegativeFinite);
        }

        mapping.Finish();
        return new StalenessFunction(name, a, b);
    }

    private static (DelayDistribution Delay, double Spread) ReadDelay(NodeReader reader, MappingView view, string key, DelayDistribution fallback)
    {
        if (view.Get(key) is not { } node || reader.Mapping(node, view.PathOf(key)) is not { } mapping)
        {
            return (fallback, 1);
        }

        var kind = mapping.Word("delay", fallback.Kind, SpecWords.Delay);
        double mean = 0, low = 0, high = 0;
        if (kind == DelayKind.Uniform)
        {
            low = mapping.Scalar("low", 0.0, Checks.NonNegativeFinite);
            high = mapping.Scalar("high", 1.0, v => double.IsFinite(v) ? null : "must be finite");
            if (!(high > low))
            {
                reader.Error(mapping.Node["high"] ?? node, mapping.PathOf("high"), $"must be greater than low (low={low}, got high={high})");
            }

            Misplaced(reader, mapping, "mean", "does not apply to the uniform delay (it takes low and high)");
        }
        else
        {
            mean = mapping.Scalar("mean", fallback.Mean, v => double.IsFinite(v) && (kind == DelayKind.Constant ? v >= 0 : v > 0)
                ? null
                : kind == DelayKind.Constant ? "must be a finite number >= 0" : "must be a finite number > 0");
            foreach (string misplaced in new[] { "low", "high" })
            {
                Misplaced(reader, mapping, misplaced, $"does not apply to the {SpecWords.Delay.Word(kind)} delay (it takes mean)");
            }
        }

        double spread = mapping.Scalar("spread", 1.0, v => v >= 1 && double.IsFinite(v) ? null : "must be a finite number >= 1 (each client's factor is uniform in [1, spread])");
        mapping.Finish();
        return (new DelayDistribution(kind, mean, low, high), spread);
    }

    private static void Misplaced(NodeReader reader, MappingView view, string key, string why)
    {
        if (view.Get(key) is { } node)
        {
            reader.Error(node, view.PathOf(key), why);
        }
    }
}

/// <summary>
/// What <see cref="AsynchronyReader.Check"/> needs to know of the rest of the run: the population,
/// the rule and the attack, and whether each setting an asynchronous run refuses is set. Positional,
/// so that the one place that builds it cannot leave a setting out.
/// </summary>
internal sealed record RunSettingsView(
    int Clients,
    int Byzantine,
    AggregationPipeline? Pipeline,
    IAggregator? Aggregator,
    IAttack? Attack,
    bool PreAggregators,
    double ServerMomentum,
    double Participation,
    bool SendsModel,
    bool Weighted,
    bool Faults,
    bool Deadline,
    bool ServerData,
    bool IdentitiesChange,
    bool BatchNorm,
    bool Topology);
