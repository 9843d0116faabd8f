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
        ["seed", "data", "partition", "model", "clients", "training", "pre_aggregators", "aggregator", "attack", "threat", "server", "faults", "device", "compression", "privacy"];

    /// <summary>Reads a run; returns null when anything is wrong (the reader has the errors).</summary>
    public static (RunSpec Spec, RunSetup Setup)? Read(NodeReader reader, YMapping run, string runId)
    {
        int errorsBefore = reader.Errors.Count;
        var root = reader.Mapping(run, "")!;
        long seed = root.Scalar("seed", Defaults.Seed);

        var (dataSpec, dataSource) = PluginReader.Read(reader, root, "data", Defaults.Data, DatasetCatalog.Registry, DatasetCatalog.Bind);
        var (modelSpec, model) = PluginReader.Read(reader, root, "model", Defaults.Model, ModelCatalog.Registry, ModelCatalog.Bind);

        var (n, f) = ClientsReader.Read(reader, root);

        // Read after clients: byzantine_data: false needs the Byzantine count.
        int byzantineCount = f;
        var (partitionSpec, partitioner) = PluginReader.Read(reader, root, "partition", Defaults.Partition, PartitionerCatalog.Registry,
            (d, raw) => PartitionerCatalog.Bind(d, raw, Math.Max(0, byzantineCount)));

        var training = TrainingReader.Read(reader, root);

        var (preSpecs, preSteps) = PluginReader.ReadList(reader, root, "pre_aggregators", "pre-aggregators", BuiltInAggregators.PreAggregators,
            (d, raw) => BuiltInAggregators.Bind(d, raw, f));

        var (aggregatorSpec, aggregator) = PluginReader.Read(reader, root, "aggregator", Defaults.Aggregator, BuiltInAggregators.Aggregators,
            (d, raw) => BuiltInAggregators.Bind(d, raw, f));
        var (attackSpec, attack) = PluginReader.Read(reader, root, "attack", Defaults.Attack, BuiltInAttacks.Registry,
            (d, raw) => BuiltInAttacks.Bind(d, raw, new AttackPopulation(n, f, dataSource?.Classes ?? 0)));

        var threatModel = ThreatReader.Read(reader, root);
        var server = ServerReader.Read(reader, root);
        var faults = FaultsReader.Read(reader, root, n - f, server.DeadlineSeconds, server.DeadlineGiven);

        var (compressionSpec, compressor) = PluginReader.Read(reader, root, "compression", Defaults.Compression, CompressorCatalog.Registry, CompressorCatalog.Bind);
        var (privacyClip, privacyNoise) = PrivacyReader.Read(reader, root);

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
            var pipeline = new AggregationPipeline(aggregator, preSteps);
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

        if (attack is not null)
        {
            var missing = attack.Requires & ~threatModel.Grants;
            if (missing != AttackKnowledge.None)
            {
                reader.Error(root.Get("attack") ?? run, "attack",
                    $"{attack.Name} needs {Describe(missing)}, which the threat model withholds (threat.omniscient: {Bool(threatModel.Omniscient)}, threat.knows_aggregator: {Bool(threatModel.KnowsAggregator)})");
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

        var spec = new RunSpec(seed, dataSpec!, partitionSpec!, modelSpec!, n, f, training, preSpecs, aggregatorSpec!, attackSpec!,
            threatModel.Omniscient, threatModel.KnowsAggregator, server.NonFinite, server.RoundTimeoutSeconds, device, compressionSpec!, privacyClip, privacyNoise,
            server.DeadlineSeconds, faults);
        var steps = preSteps;
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
            new ServerSettings(TimeSpan.FromSeconds(server.RoundTimeoutSeconds), server.NonFinite, server.DeadlineSeconds),
            faults)
        {
            Compressor = compressor,
            Privacy = privacyClip > 0 ? new ClientPrivacy(privacyClip, privacyNoise) : null,
        };
        return (spec, setup);
    }

    private static string Describe(AttackKnowledge knowledge) => string.Join(" and ", new[]
    {
        knowledge.HasFlag(AttackKnowledge.HonestUpdates) ? "the honest updates of the round" : null,
        knowledge.HasFlag(AttackKnowledge.Aggregator) ? "the server's aggregator" : null,
        knowledge.HasFlag(AttackKnowledge.OwnGradients) ? "its own gradients" : null,
    }.Where(s => s is not null));

    private static string Bool(bool value) => value ? "true" : "false";
}
