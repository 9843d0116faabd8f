using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Clients.Compression;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Partitioning;
using ByzantineSim.Clients.Training;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Faults;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads one run's merged settings (the sweep's <c>base</c> with a grid point or case applied)
/// into a resolved <see cref="RunSpec"/> and a ready <see cref="RunSetup"/>, binding every
/// plug-in through its registry and checking every cross-field condition (f against n and the
/// rule, the attack against the threat model, data availability). All problems go to the
/// <see cref="NodeReader"/>.
/// </summary>
public static partial class RunReader
{
    /// <summary>Keys a run (and so <c>base</c>, grid axes and cases) may set.</summary>
    public static readonly ImmutableArray<string> Keys =
        ["seed", "data", "partition", "model", "clients", "training", "pre_aggregators", "aggregator", "attack", "threat", "server", "faults", "device", "compression", "privacy"];

    /// <summary>Reads a run; returns null when anything is wrong (the reader has the errors).</summary>
    public static (RunSpec Spec, RunSetup Setup)? Read(NodeReader reader, YMapping run, string runId)
    {
        int errorsBefore = reader.Errors.Count;
        var root = reader.Mapping(run, "")!;
        long seed = root.Scalar("seed", Defaults.Seed);

        var (dataSpec, dataSource) = Plugin(reader, root, "data", Defaults.Data, DatasetCatalog.Registry, DatasetCatalog.Bind);
        var (modelSpec, model) = Plugin(reader, root, "model", Defaults.Model, ModelCatalog.Registry, ModelCatalog.Bind);

        int n = Defaults.Clients, f = Defaults.Byzantine;
        YNode clientsNode = root.Get("clients") ?? run;
        YNode? fNode = null;
        if (root.Get("clients") is { } clients && reader.Mapping(clients, "clients") is { } clientsView)
        {
            n = clientsView.Scalar("n", Defaults.Clients, v => v >= 1 ? null : "must be >= 1");
            fNode = clientsView.Get("f");
            f = clientsView.Scalar("f", Defaults.Byzantine, v => v >= 0 ? null : "must be >= 0");
            clientsView.Finish();
        }

        if (2 * f >= n)
        {
            reader.Error(fNode ?? clientsNode, "clients.f", $"must be less than n/2 (n={n}, got f={f})");
        }

        // Read after clients: byzantine_data: false needs the Byzantine count.
        int byzantineCount = f;
        var (partitionSpec, partitioner) = Plugin(reader, root, "partition", Defaults.Partition, PartitionerCatalog.Registry,
            (d, raw) => PartitionerCatalog.Bind(d, raw, Math.Max(0, byzantineCount)));

        var training = ReadTraining(reader, root);

        var preSpecs = ImmutableArray.CreateBuilder<PluginSpec>();
        var preSteps = ImmutableArray.CreateBuilder<IPreAggregator>();
        if (root.Get("pre_aggregators") is { } preNode)
        {
            if (preNode is YSequence sequence)
            {
                for (int i = 0; i < sequence.Items.Length; i++)
                {
                    var (stepSpec, step) = PluginAt(reader, sequence.Items[i], $"pre_aggregators[{i}]", BuiltInAggregators.PreAggregators,
                        (d, raw) => BuiltInAggregators.Bind(d, raw, f));
                    if (stepSpec is not null && step is not null)
                    {
                        preSpecs.Add(stepSpec);
                        preSteps.Add(step);
                    }
                }
            }
            else
            {
                reader.Error(preNode, "pre_aggregators", $"expected a list of pre-aggregators, got {NodeReader.Describe(preNode)}");
            }
        }

        var (aggregatorSpec, aggregator) = Plugin(reader, root, "aggregator", Defaults.Aggregator, BuiltInAggregators.Aggregators,
            (d, raw) => BuiltInAggregators.Bind(d, raw, f));
        var (attackSpec, attack) = Plugin(reader, root, "attack", Defaults.Attack, BuiltInAttacks.Registry,
            (d, raw) => BuiltInAttacks.Bind(d, raw, new AttackPopulation(n, f, dataSource?.Classes ?? 0)));

        bool omniscient = Defaults.Omniscient, knowsAggregator = Defaults.KnowsAggregator;
        YNode threatNode = root.Get("threat") ?? run;
        if (root.Get("threat") is { } threat && reader.Mapping(threat, "threat") is { } threatView)
        {
            omniscient = threatView.Scalar("omniscient", Defaults.Omniscient);
            knowsAggregator = threatView.Scalar("knows_aggregator", Defaults.KnowsAggregator);
            threatView.Finish();
        }

        var nonFinite = Defaults.NonFinite;
        double timeout = Defaults.RoundTimeoutSeconds;
        double deadline = Defaults.DeadlineSeconds;
        bool deadlineGiven = false;
        if (root.Get("server") is { } server && reader.Mapping(server, "server") is { } serverView)
        {
            nonFinite = serverView.Word("non_finite", Defaults.NonFinite, SpecWords.NonFinite);
            timeout = serverView.Scalar("round_timeout", Defaults.RoundTimeoutSeconds, v => v > 0 ? null : "must be > 0 seconds");
            deadlineGiven = serverView.Node["deadline"] is not null;
            deadline = serverView.Scalar("deadline", Defaults.DeadlineSeconds, v => v > 0 && double.IsFinite(v) ? null : "must be a finite number > 0 of simulated seconds");
            serverView.Finish();
        }

        var faults = FaultsReader.Read(reader, root, n - f, deadline, deadlineGiven);

        var (compressionSpec, compressor) = Plugin(reader, root, "compression", Defaults.Compression, CompressorCatalog.Registry, CompressorCatalog.Bind);
        double privacyClip = 0, privacyNoise = 0;
        if (root.Get("privacy") is { } privacy && reader.Mapping(privacy, "privacy") is { } privacyView)
        {
            privacyClip = privacyView.Scalar("clip", Defaults.PrivacyClip, v => v >= 0 ? null : "must be > 0");
            privacyNoise = privacyView.Scalar("noise_multiplier", Defaults.PrivacyNoise, v => v >= 0 ? null : "must be >= 0");
            // clip 0 with noise 0 is privacy off, as spec.yaml writes it, so that file reads back as the same run.
            if (privacyClip == 0 && privacyNoise != 0)
            {
                reader.Error(privacyView.Get("clip")!, "privacy.clip",
                    $"must be > 0 when noise is added (got 0 with noise_multiplier {privacyNoise.ToString(System.Globalization.CultureInfo.InvariantCulture)}); clip 0 with noise_multiplier 0 turns privacy off");
            }

            privacyView.Finish();
        }

        string device = root.Scalar("device", Defaults.Device, v => v is "cpu" or "cuda" ? null : "must be cpu or cuda");
        if (device == "cuda" && TorchRuntime.CheckDevice(device) is { } deviceProblem)
        {
            reader.Error(root.Get("device")!, "device", deviceProblem);
        }

        root.Finish();

        // Cross-field checks that need the bound plug-ins.
        if (aggregator is not null && 2 * f < n)
        {
            // Under partial participation the rule sees only the clients sampled in a round.
            var pipeline = new AggregationPipeline(aggregator, preSteps.ToImmutable());
            int perRound = TrainingSettings.ParticipantsPerRound(training.Participation, n);
            if (pipeline.OrderProblem is { } orderProblem)
            {
                reader.Error(root.Get("pre_aggregators") ?? root.Get("aggregator") ?? run, "pre_aggregators", orderProblem);
            }
            else if (!pipeline.Accepts(perRound))
            {
                int effective = pipeline.EffectiveInputs(perRound);
                string sampled = perRound == n ? "" : $" sampled per round with participation {Canonical.Number(training.Participation)}";
                string after = effective == perRound ? "" : $", {effective} after {string.Join(", ", preSpecs.Select(p => p.Name))}";
                string hint = perRound == n ? "" : "; set the aggregator's f to the Byzantine count expected in a round";
                reader.Error(root.Get("aggregator") ?? run, "aggregator",
                    $"must satisfy {aggregator.Requirement} for {aggregator.Name} (n={perRound}{sampled}{after}, got f={aggregator.F}){hint}");
            }
        }

        var threatModel = new ThreatModel(omniscient, knowsAggregator);
        if (attack is not null)
        {
            var missing = attack.Requires & ~threatModel.Grants;
            if (missing != AttackKnowledge.None)
            {
                reader.Error(root.Get("attack") ?? run, "attack",
                    $"{attack.Name} needs {Describe(missing)}, which the threat model withholds (threat.omniscient: {Bool(omniscient)}, threat.knows_aggregator: {Bool(knowsAggregator)})");
            }
        }

        if (attack is not null && partitioner is HonestDataOnly
            && (attack.Requires.HasFlag(AttackKnowledge.OwnGradients) || attack.Poisoning is not null))
        {
            reader.Error(root.Get("attack") ?? run, "attack",
                $"{attack.Name} trains on the Byzantine clients' own data, which partition.byzantine_data: false withholds");
        }

        if (dataSource is not null)
        {
            foreach (var problem in dataSource.Check())
            {
                var dataNode = root.Get("data");
                var optionNode = dataNode is YMapping map && problem.Key is { } key ? map[key] : null;
                reader.Error(optionNode ?? dataNode ?? run, "data" + (problem.Key is null ? "" : "." + problem.Key), problem.Message);
            }
        }

        if (reader.Errors.Count > errorsBefore || dataSource is null || partitioner is null || model is null || aggregator is null || attack is null || compressor is null)
        {
            return null;
        }

        var spec = new RunSpec(seed, dataSpec!, partitionSpec!, modelSpec!, n, f, training, preSpecs.ToImmutable(), aggregatorSpec!, attackSpec!,
            omniscient, knowsAggregator, nonFinite, timeout, device, compressionSpec!, privacyClip, privacyNoise, deadline, faults);
        var steps = preSteps.ToImmutable();
        var setup = new RunSetup(
            runId,
            unchecked((ulong)seed),
            dataSource,
            partitioner,
            model,
            n - f,
            f,
            new TrainingSettings(
                training.Rounds,
                training.BatchSize,
                new LearningRateSchedule(training.LearningRate, training.Milestones, training.Gamma),
                training.WeightDecay,
                training.WorkerMomentum,
                training.MomentumForm,
                training.ServerMomentum,
                training.EvalEvery)
            {
                Algorithm = training.Algorithm,
                LocalSteps = training.LocalSteps,
                LocalLearningRate = training.LocalLearningRate,
                ClipNorm = training.ClipNorm,
                Participation = training.Participation,
                SendModel = training.Send == ClientSends.Model,
            },
            () => new AggregationPipeline(aggregator, steps),
            attack,
            threatModel,
            new ServerSettings(TimeSpan.FromSeconds(timeout), nonFinite, deadline),
            faults)
        {
            Compressor = compressor,
            Privacy = privacyClip > 0 ? new ClientPrivacy(privacyClip, privacyNoise) : null,
        };
        return (spec, setup);
    }

    private static TrainingSpec ReadTraining(NodeReader reader, MappingView root)
    {
        var defaults = new TrainingSpec(Defaults.Rounds, Defaults.BatchSize, Defaults.LearningRate, [], Defaults.Gamma, Defaults.WeightDecay,
            Defaults.WorkerMomentum, Defaults.MomentumForm, Defaults.ServerMomentum, Defaults.EvalEvery,
            Defaults.Algorithm, Defaults.LocalSteps, Defaults.LocalLearningRate, Defaults.ClipNorm, Defaults.Participation, Defaults.Send);
        if (root.Get("training") is not { } node || reader.Mapping(node, "training") is not { } view)
        {
            return defaults;
        }

        static string? Positive(int v) => v >= 1 ? null : "must be >= 1";
        static string? Beta(double v) => v is >= 0 and < 1 ? null : "must be in [0, 1)";
        var milestones = view.Get("lr_milestones") is { } m
            ? reader.List<int>(m, view.PathOf("lr_milestones"), v => v >= 1 ? null : "must be >= 1")
            : [];
        var spec = new TrainingSpec(
            view.Scalar("rounds", Defaults.Rounds, Positive),
            view.Scalar("batch_size", Defaults.BatchSize, Positive),
            view.Scalar("learning_rate", Defaults.LearningRate, v => v > 0 ? null : "must be > 0"),
            [.. milestones.Order()],
            view.Scalar("lr_gamma", Defaults.Gamma, v => v > 0 ? null : "must be > 0"),
            view.Scalar("weight_decay", Defaults.WeightDecay, v => v >= 0 ? null : "must be >= 0"),
            view.Scalar("worker_momentum", Defaults.WorkerMomentum, Beta),
            view.Word("momentum_form", Defaults.MomentumForm, SpecWords.MomentumForm),
            view.Scalar("server_momentum", Defaults.ServerMomentum, Beta),
            view.Scalar("eval_every", Defaults.EvalEvery, Positive),
            view.Word("algorithm", Defaults.Algorithm, SpecWords.Algorithm),
            view.Scalar("local_steps", Defaults.LocalSteps, Positive),
            view.Scalar("local_learning_rate", Defaults.LocalLearningRate, v => v > 0 ? null : "must be > 0"),
            view.Scalar("clip_norm", Defaults.ClipNorm, v => v >= 0 ? null : "must be >= 0 (0 disables clipping)"),
            view.Scalar("participation", Defaults.Participation, v => v is > 0 and <= 1 ? null : "must be in (0, 1]"),
            view.Word("send", Defaults.Send, SpecWords.Send));
        if (spec.Algorithm == LocalMode.Gradient)
        {
            foreach (var (key, wrong) in new[] { ("local_steps", spec.LocalSteps != Defaults.LocalSteps), ("send", spec.Send != Defaults.Send) })
            {
                if (wrong)
                {
                    reader.Error(view.Get(key)!, view.PathOf(key), "applies to algorithm fedavg only (training.algorithm is dsgd)");
                }
            }
        }

        view.Finish();
        return spec;
    }

    private static (PluginSpec? Spec, T? Value) Plugin<TDescriptor, T>(
        NodeReader reader,
        MappingView root,
        string key,
        string defaultName,
        PluginRegistry<TDescriptor> registry,
        Func<TDescriptor, IReadOnlyDictionary<string, string>, (T, ImmutableArray<PluginError>)> bind)
        where TDescriptor : IPluginDescriptor
        where T : class?
    {
        if (root.Get(key) is { } node)
        {
            return PluginAt(reader, node, key, registry, bind);
        }

        registry.TryGet(defaultName, out var descriptor);
        var (value, _) = bind(descriptor, new Dictionary<string, string>());
        return (PluginSpec.Named(defaultName), value);
    }

    /// <summary>Reads a plug-in node: a bare name, or a mapping with <c>name</c> and options.</summary>
    private static (PluginSpec? Spec, T? Value) PluginAt<TDescriptor, T>(
        NodeReader reader,
        YNode node,
        string path,
        PluginRegistry<TDescriptor> registry,
        Func<TDescriptor, IReadOnlyDictionary<string, string>, (T, ImmutableArray<PluginError>)> bind)
        where TDescriptor : IPluginDescriptor
        where T : class?
    {
        YScalar? nameNode;
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var optionNodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
        switch (node)
        {
            case YScalar { IsNull: false } scalar:
                nameNode = scalar;
                break;
            case YMapping mapping:
                nameNode = mapping["name"] as YScalar;
                if (nameNode is null or { IsNull: true })
                {
                    reader.Error(mapping, path, $"{English.A(registry.Kind)} needs a 'name'; known: {string.Join(", ", registry.Names)}");
                    return (null, null);
                }

                foreach (var (optionKey, optionValue) in mapping.Entries.Where(e => e.Key.Value != "name"))
                {
                    if (OptionText(optionValue) is { } text)
                    {
                        options[optionKey.Value] = text;
                        optionNodes[optionKey.Value] = optionValue;
                    }
                    else
                    {
                        reader.Error(optionValue, $"{path}.{optionKey.Value}", $"expected a value or a list of values, got {NodeReader.Describe(optionValue)}");
                    }
                }

                break;
            default:
                reader.Error(node, path, $"expected {English.A(registry.Kind)} name or a mapping with 'name', got {NodeReader.Describe(node)}");
                return (null, null);
        }

        if (!registry.TryGet(nameNode.Value, out var descriptor))
        {
            reader.Error(nameNode, node is YMapping ? $"{path}.name" : path, registry.UnknownMessage(nameNode.Value));
            return (null, null);
        }

        // Options reach the binder as text, so a quoted number would pass for a number: refuse it
        // here, and keep the binder's own complaint about the same option out of the list.
        var textWhereTyped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in descriptor.Parameters.Where(p => TypedParameters.Contains(p.TypeName)))
        {
            if (optionNodes.TryGetValue(parameter.Name, out var optionNode) && TextScalars(optionNode).FirstOrDefault() is { } text)
            {
                reader.Error(text, $"{path}.{parameter.Name}", NodeReader.TextWhereTyped(parameter.TypeName, text.Value));
                textWhereTyped.Add(parameter.Name);
            }
        }

        var (value, errors) = bind(descriptor, options);
        foreach (var error in errors.Where(e => e.Key is null || !textWhereTyped.Contains(e.Key)))
        {
            var at = error.Key is { } key && optionNodes.TryGetValue(key, out var optionNode) ? optionNode : node;
            reader.Error(at, error.Key is null ? path : $"{path}.{error.Key}", error.Message);
        }

        return (new PluginSpec(descriptor.Name, options.ToImmutableSortedDictionary(StringComparer.Ordinal)), value);
    }

    /// <summary>Type names of plug-in options that are not text.</summary>
    private static readonly string[] TypedParameters =
        [.. new[] { typeof(int), typeof(double), typeof(bool), typeof(ImmutableArray<int>) }.Select(ParameterText.TypeName)];

    private static IEnumerable<YScalar> TextScalars(YNode node) => node switch
    {
        YScalar { IsText: true } scalar => [scalar],
        YSequence sequence => sequence.Items.OfType<YScalar>().Where(i => i.IsText),
        _ => [],
    };

    /// <summary>Canonical text of an option: numbers normalised, lists as "[a, b]"; null for nested structures.</summary>
    private static string? OptionText(YNode node) => node switch
    {
        YScalar { IsNull: false } scalar => Normalise(scalar.Value),
        YSequence sequence when sequence.Items.All(i => i is YScalar { IsNull: false }) =>
            "[" + string.Join(", ", sequence.Items.Cast<YScalar>().Select(i => Normalise(i.Value))) + "]",
        _ => null,
    };

    private static string Normalise(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number)
            ? Canonical.Number(number)
            : text;

    private static string Describe(AttackKnowledge knowledge) => string.Join(" and ", new[]
    {
        knowledge.HasFlag(AttackKnowledge.HonestUpdates) ? "the honest updates of the round" : null,
        knowledge.HasFlag(AttackKnowledge.Aggregator) ? "the server's aggregator" : null,
        knowledge.HasFlag(AttackKnowledge.OwnGradients) ? "its own gradients" : null,
    }.Where(s => s is not null));

    private static string Bool(bool value) => value ? "true" : "false";
}
