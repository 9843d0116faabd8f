using System.Collections.Immutable;
using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Clients.Compression;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Partitioning;
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
        ["seed", "data", "partition", "model", "clients", "training", "pre_aggregators", "aggregator", "attack", "threat", "server", "faults", "device", "compression", "privacy", "server_data"];

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

        var training = TrainingReader.Read(reader, root);

        var (preSpecs, preSteps) = PluginReader.ReadList(reader, root, "pre_aggregators", "pre-aggregators", plugins.PreAggregators,
            (d, raw) => BuiltInAggregators.Bind(d, raw, f));

        var (aggregatorSpec, aggregator) = PluginReader.Read(reader, root, "aggregator", Defaults.Aggregator, plugins.Aggregators,
            (d, raw) => BuiltInAggregators.Bind(d, raw, f));
        var (attackSpec, attack) = PluginReader.Read(reader, root, "attack", Defaults.Attack, plugins.Attacks,
            (d, raw) => BuiltInAttacks.Bind(d, raw, new AttackPopulation(n, f, dataSource?.Classes ?? 0, dataSource?.Shape?.SampleShape ?? [])));

        var threatModel = ThreatReader.Read(reader, root);
        var server = ServerReader.Read(reader, root);
        var faults = FaultsReader.Read(reader, root, n - f, server.DeadlineSeconds, server.DeadlineGiven);

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
        if (aggregator is not null && 2 * f < n)
        {
            RunChecks.Pipeline(reader, root, aggregator, preSteps, preSpecs, training.Participation, n);
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
        };
        return (spec, setup);
    }
}
