using System.Collections.Immutable;
using ByzantineSim.Clients.Training;
using ByzantineSim.Experiments.Yaml;
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
        ["seed", "data", "partition", "model", "clients", "training", "pre_aggregators", "aggregator", "attack", "threat", "server", "faults", "device", "compression", "privacy", "server_data", "adversary", "unreliable", "label_dilution", "topology", "asynchrony"];

    /// <summary>
    /// Reads a run, binding plug-ins through <paramref name="catalog"/> (default: the built-in
    /// ones); returns null when anything is wrong (the reader has the errors).
    /// </summary>
    public static (RunSpec Spec, RunSetup Setup)? Read(NodeReader reader, YMapping run, string runId, PluginCatalog? catalog = null)
    {
        var plugins = catalog ?? PluginCatalog.BuiltIn;
        int errorsBefore = reader.Errors.Count;
        var root = reader.Mapping(run, "")!;
        long seed = root.Scalar("seed", Defaults.Seed);

        var (dataSpec, dataSource) = PluginReader.Read(reader, root, "data", Defaults.Data, plugins.Datasets, DatasetCatalog.Bind);
        var (modelSpec, model) = PluginReader.Read(reader, root, "model", Defaults.Model, plugins.Models, ModelCatalog.Bind);

        var (n, f) = ClientsReader.Read(reader, root);

        // Read after clients: byzantine_data: false needs the Byzantine count.
        int byzantineCount = f;
        var (partitionSpec, partitioner) = PluginReader.Read(reader, root, "partition", Defaults.Partition, plugins.Partitioners,
            (d, raw) => PartitionerCatalog.Bind(d, raw, Math.Max(0, byzantineCount)));

        var training = TrainingReader.Read(reader, root, dataSource?.Shape?.Outputs ?? dataSource?.Classes ?? 0);

        // Peer-to-peer runs: the local rule's f defaults to the most Byzantine neighbours an honest peer has.
        var topology = TopologyReader.Read(reader, root, seed);
        var asynchrony = AsynchronyReader.Read(reader, root, seed);
        int ruleF = topology is null ? f : TopologyReader.LocalByzantine(topology, n, f, training.Rounds) ?? f;

        // Each plug-in of the pipeline also keeps how to bind it again for another f: a server
        // told a Byzantine count that changes from round to round builds a pipeline per count.
        var preRebinds = new List<Func<int, (IPreAggregator, ImmutableArray<Core.Plugins.PluginError>)>>();
        var (preSpecs, preSteps) = PluginReader.ReadList(reader, root, "pre_aggregators", "pre-aggregators", plugins.PreAggregators,
            (d, raw) =>
            {
                preRebinds.Add(g => BuiltInAggregators.Bind(d, raw, g));
                return BuiltInAggregators.Bind(d, raw, ruleF);
            });

        // gossip and clipped-gossip (peer-to-peer mixing rules) stand in the aggregator's place; the pipeline then goes unused.
        var mixing = TopologyReader.ReadMixing(reader, root, topology);
        Func<int, (IAggregator, ImmutableArray<Core.Plugins.PluginError>)>? rebindAggregator = null;
        var (aggregatorSpec, aggregator) = mixing is { } peerRule
            ? (peerRule.Spec, BuiltInAggregators.Create(Defaults.Aggregator, ruleF))
            : PluginReader.Read(reader, root, "aggregator", Defaults.Aggregator, plugins.Aggregators,
                (d, raw) =>
                {
                    rebindAggregator = g => BuiltInAggregators.Bind(d, raw, g);
                    return BuiltInAggregators.Bind(d, raw, ruleF);
                });
        if (mixing is { } chosen && topology is not null)
        {
            topology = topology with { Mixing = chosen.Mixing, ClipRadius = chosen.Radius, Bristle = chosen.Bristle };
        }

        var population = new AttackPopulation(n, f, dataSource?.Classes ?? 0, dataSource?.Shape?.SampleShape ?? []);
        var adversary = AdversaryReader.Read(reader, root, n, f, (node, path, count) =>
            PluginReader.ReadAt(reader, node, path, plugins.Attacks, (d, raw) => BuiltInAttacks.Bind(d, raw, population with { ByzantineCount = count })));
        PluginSpec? attackSpec;
        IAttack? attack;
        if (adversary.Attack is { } mixture)
        {
            (attackSpec, attack) = (PluginSpec.Named(mixture.Name), mixture);
            if (root.Get("attack") is { } attackNode)
            {
                reader.Error(attackNode, "attack", "give either attack or adversary.groups (a mixed population), not both");
            }
        }
        else
        {
            (attackSpec, attack) = PluginReader.Read(reader, root, "attack", Defaults.Attack, plugins.Attacks, (d, raw) => BuiltInAttacks.Bind(d, raw, population));
        }

        var (threatModel, serverKnowsCount, knowsCountNode) = ThreatReader.Read(reader, root);
        var identities = adversary.Identities with { ServerKnowsCount = serverKnowsCount };
        var server = ServerReader.Read(reader, root);
        var faults = FaultsReader.Read(reader, root, n - f, server.DeadlineSeconds, server.DeadlineGiven);
        var unreliable = UnreliableReader.Read(reader, root, identities.Changes ? n : n - f, dataSource?.Shape?.SampleShape ?? default, training.Algorithm);
        var labelDilution = LabelDilutionReader.Read(reader, root, n, dataSource?.Shape?.Outputs ?? dataSource?.Classes ?? 0);
        RunChecks.Identities(reader, root, identities, f, knowsCountNode, faults, partitioner);

        var (compressionSpec, compressor) = PluginReader.Read(reader, root, "compression", Defaults.Compression, plugins.Compressors, CompressorCatalog.Bind);
        var (privacyClip, privacyNoise) = PrivacyReader.Read(reader, root);
        var serverData = ServerDataReader.Read(reader, root, seed);

        var device = root.Word("device", Defaults.Device, SpecWords.Device);
        if (device == ComputeDevice.Cuda && TorchRuntime.CheckDevice(SpecWords.Device.Word(device)) is { } deviceProblem)
        {
            reader.Error(root.Get("device")!, "device", deviceProblem);
        }

        root.Finish();

        // Cross-field checks that need the bound plug-ins.
        if (topology is not null)
        {
            TopologyReader.Check(reader, root, topology, n, f, training.Rounds, aggregator is null ? null : new AggregationPipeline(aggregator, preSteps), aggregator);
            TopologyReader.CheckTransfer(reader, root, topology, model);
            TopologyReader.CheckRun(reader, root, topology, training, attack, f, compressionSpec, privacyClip, serverData is not null, faults != Simulator.Faults.FaultSettings.None, !preSpecs.IsDefaultOrEmpty);
        }
        else if (aggregator is not null && 2 * f < n)
        {
            RunChecks.Pipeline(reader, root, aggregator, preSteps, preSpecs, training.Participation, n);
        }

        if (asynchrony is not null)
        {
            AsynchronyReader.Check(reader, root, asynchrony, new RunSettingsView(
                n,
                f,
                aggregator is null ? null : new AggregationPipeline(aggregator, preSteps),
                aggregator,
                attack,
                PreAggregators: !preSpecs.IsDefaultOrEmpty,
                ServerMomentum: training.ServerMomentum,
                Participation: training.Participation,
                SendsModel: training.Send == ClientSends.Model,
                Weighted: training.Weighting != UpdateWeighting.None,
                Faults: faults != Simulator.Faults.FaultSettings.None,
                Deadline: double.IsFinite(server.DeadlineSeconds),
                ServerData: serverData is not null,
                IdentitiesChange: identities.Changes,
                BatchNorm: model?.BatchNorm is { } norm && norm != Clients.Models.BatchNormMode.Batch,
                Topology: topology is not null));
        }

        if (aggregator is not null)
        {
            RunChecks.ServerData(reader, root, aggregator, serverData);
            RunChecks.Weighting(reader, root, aggregator, preSteps, training.Weighting);
        }

        if (attack is not null)
        {
            RunChecks.Attack(reader, root, attack, threatModel, partitioner);
        }

        if (dataSource is not null)
        {
            RunChecks.Data(reader, root, dataSource);
            if (partitioner is not null)
            {
                RunChecks.Partition(reader, root, partitioner, dataSource);
            }

            if (!dataSource.SampleShape.IsDefault && training.Augmentation.Problem(dataSource.SampleShape) is { } augmentationProblem)
            {
                var trainingNode = root.Get("training") as YMapping;
                reader.Error(trainingNode?["augmentation"] ?? root.Node, "training.augmentation", augmentationProblem);
            }
        }

        if (reader.Errors.Count > errorsBefore || dataSource is null || partitioner is null || model is null || aggregator is null || attack is null || compressor is null)
        {
            return null;
        }

        var spec = new RunSpec(seed, dataSpec!, partitionSpec!, modelSpec!, n, f, training, preSpecs, aggregatorSpec!, attackSpec!,
            threatModel.Omniscient, threatModel.KnowsAggregator, server.NonFinite, server.RoundTimeoutSeconds, device, compressionSpec!, privacyClip, privacyNoise,
            server.DeadlineSeconds, faults)
        {
            ServerData = serverData,
            Topology = topology,
            Asynchrony = asynchrony,
            Identities = identities,
            AttackGroups = adversary.Groups,
            Unreliable = unreliable,
            LabelDilution = labelDilution,
        };
        var steps = preSteps;
        var setup = new RunSetup(
            runId,
            unchecked((ulong)seed),
            dataSource,
            partitioner,
            model,
            n - f,
            f,
            training.ToSettings(),
            () => new AggregationPipeline(aggregator, steps),
            attack,
            threatModel,
            new ServerSettings(TimeSpan.FromSeconds(server.RoundTimeoutSeconds), server.NonFinite, server.DeadlineSeconds),
            faults)
        {
            Compressor = compressor,
            Privacy = privacyClip > 0 ? new ClientPrivacy(privacyClip, privacyNoise) : null,
            ServerData = serverData?.ToSettings(),
            Device = device,
            Topology = topology,
            Asynchrony = asynchrony,
            Identities = identities,
            Unreliable = unreliable,
            LabelDilution = labelDilution,
            CreatePipelineFor = identities.ServerKnowsCount && CountVaries(identities, f) && rebindAggregator is { } rebind && preRebinds.Count == steps.Length
                ? count => PipelineFor(count, rebind, preRebinds)
                : null,
        };
        return (spec, setup);
    }

    /// <summary>True when a round's number of Byzantine clients can differ from the spec's f.</summary>
    internal static bool CountVaries(Simulator.Setup.IdentitySettings identities, int f) =>
        identities.Mode == Simulator.Setup.IdentityMode.Random && (identities.Fraction > 0 || identities.Count != f);

    /// <summary>
    /// The pipeline bound for <paramref name="count"/> Byzantine clients; a rule that cannot be
    /// bound for that count fails the round's aggregation, as too few inputs do.
    /// </summary>
    private static AggregationPipeline PipelineFor(
        int count,
        Func<int, (IAggregator, ImmutableArray<Core.Plugins.PluginError>)> aggregator,
        List<Func<int, (IPreAggregator, ImmutableArray<Core.Plugins.PluginError>)>> steps)
    {
        var (rule, errors) = aggregator(count);
        var bound = steps.Select(step => step(count)).ToList();
        var problems = errors.Concat(bound.SelectMany(b => b.Item2)).ToList();
        if (problems.Count > 0 || rule is null || bound.Any(b => b.Item1 is null))
        {
            throw new AggregationException($"the rule cannot be set up for {count} Byzantine clients: {string.Join("; ", problems.Select(p => p.Message))}");
        }

        return new AggregationPipeline(rule, [.. bound.Select(b => b.Item1)]);
    }
}
