using System.Collections.Immutable;
using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>Checks across a run's sections that need the bound plug-ins; every problem goes to the reader.</summary>
internal static class RunChecks
{
    /// <summary>The pipeline's order, and the rule's condition on the updates it sees in a round.</summary>
    public static void Pipeline(
        NodeReader reader, MappingView root, IAggregator aggregator, ImmutableArray<IPreAggregator> preSteps, ImmutableArray<PluginSpec> preSpecs,
        double participation, int n)
    {
        // Under partial participation the rule sees only the clients sampled in a round.
        var pipeline = new AggregationPipeline(aggregator, preSteps);
        int perRound = TrainingSettings.ParticipantsPerRound(participation, n);
        if (pipeline.OrderProblem is { } orderProblem)
        {
            reader.Error(root.Get("pre_aggregators") ?? root.Get("aggregator") ?? root.Node, "pre_aggregators", orderProblem);
        }
        else if (!pipeline.Accepts(perRound))
        {
            int effective = pipeline.EffectiveInputs(perRound);
            string sampled = perRound == n ? "" : $" sampled per round with participation {Canonical.Number(participation)}";
            string after = effective == perRound ? "" : $", {effective} after {string.Join(", ", preSpecs.Select(p => p.Name))}";
            string hint = perRound == n ? "" : "; set the aggregator's f to the Byzantine count expected in a round";
            reader.Error(root.Get("aggregator") ?? root.Node, "aggregator",
                $"must satisfy {aggregator.Requirement} for {aggregator.Name} (n={perRound}{sampled}{after}, got f={aggregator.F}){hint}");
        }
    }

    /// <summary>Sample-size weighting needs a pipeline that can weight: a rule with a weighted form, no step that merges rows.</summary>
    public static void Weighting(NodeReader reader, MappingView root, IAggregator aggregator, ImmutableArray<IPreAggregator> preSteps, UpdateWeighting weighting)
    {
        if (weighting == UpdateWeighting.None || new AggregationPipeline(aggregator, preSteps).WeightsProblem is not { } problem)
        {
            return;
        }

        var trainingNode = root.Get("training") as YMapping;
        reader.Error(trainingNode?["weighting"] ?? root.Get("aggregator") ?? root.Node, "training.weighting",
            $"samples needs a rule with a sample-weighted form (built in: {string.Join(", ", BuiltInAggregators.Weighted)}), but {problem}");
    }

    /// <summary>A rule that compares the updates with the server's own needs the server's data set.</summary>
    public static void ServerData(NodeReader reader, MappingView root, IAggregator aggregator, ServerDataSpec? serverData)
    {
        if (aggregator.NeedsServerUpdate && serverData is null)
        {
            reader.Error(root.Get("aggregator") ?? root.Node, "aggregator",
                $"{aggregator.Name} compares the updates with the server's own, which needs server_data (e.g. server_data: {{size: 100, source: train}})");
        }
    }

    /// <summary>What the attack needs against what the threat model and the partition grant.</summary>
    public static void Attack(NodeReader reader, MappingView root, IAttack attack, ThreatModel threat, IPartitioner? partitioner)
    {
        var missing = attack.Requires & ~threat.Grants;
        if (missing != AttackKnowledge.None)
        {
            reader.Error(root.Get("attack") ?? root.Node, "attack",
                $"{attack.Name} needs {Describe(missing)}, which the threat model withholds (threat.omniscient: {Bool(threat.Omniscient)}, threat.knows_aggregator: {Bool(threat.KnowsAggregator)})");
        }

        if (partitioner is HonestDataOnly && (attack.Requires.HasFlag(AttackKnowledge.OwnGradients) || attack.Poisoning is not null))
        {
            reader.Error(root.Get("attack") ?? root.Node, "attack",
                $"{attack.Name} trains on the Byzantine clients' own data, which partition.byzantine_data: false withholds");
        }
    }

    /// <summary>
    /// Changing identities against what needs fixed ones (faults of honest ids, Byzantine
    /// clients without data), and <c>threat.server_knows_count</c> where the count never differs from f.
    /// </summary>
    public static void Identities(
        NodeReader reader, MappingView root, IdentitySettings identities, int f, YNode? knowsCountNode, Simulator.Faults.FaultSettings faults, IPartitioner? partitioner)
    {
        if (knowsCountNode is not null && !identities.ServerKnowsCount && !RunReader.CountVaries(identities, f))
        {
            reader.Error(knowsCountNode, "threat.server_knows_count",
                "applies only when a round's number of Byzantine clients can differ from clients.f (adversary.identities: random with a fraction, or a count other than f)");
        }

        if (!identities.Changes)
        {
            return;
        }

        string mode = SpecWords.Identities.Word(identities.Mode);
        if (faults != Simulator.Faults.FaultSettings.None)
        {
            reader.Error(root.Get("faults") ?? root.Node, "faults",
                $"simulated faults apply to the honest ids of fixed identities; they cannot be combined with adversary.identities: {mode}");
        }

        if (partitioner is HonestDataOnly)
        {
            reader.Error(root.Get("partition") ?? root.Node, "partition",
                $"adversary.identities: {mode} needs every client to hold data (each is honest in some rounds); partition.byzantine_data: false withholds it");
        }

        if (partitioner is ByzantineClassCopies)
        {
            reader.Error(root.Get("partition") ?? root.Node, "partition",
                $"partition.byzantine_classes gives the last f ids their data; adversary.identities: {mode} changes which ids are Byzantine");
        }
    }

    /// <summary>Whether the data set is available with its options.</summary>
    public static void Data(NodeReader reader, MappingView root, IDatasetSource dataSource)
    {
        foreach (var problem in dataSource.Check())
        {
            var dataNode = root.Get("data");
            var optionNode = dataNode is YMapping map && problem.Key is { } key ? map[key] : null;
            reader.Error(optionNode ?? dataNode ?? root.Node, "data" + (problem.Key is null ? "" : "." + problem.Key), problem.Message);
        }
    }

    /// <summary>
    /// The natural partition needs a data set whose samples belong to users, and
    /// <c>byzantine_classes</c> must name classes the data set has.
    /// </summary>
    public static void Partition(NodeReader reader, MappingView root, IPartitioner partitioner, IDatasetSource dataSource)
    {
        var inner = partitioner switch
        {
            HonestDataOnly honest => honest.Inner,
            ByzantineClassCopies copies => copies.Inner,
            _ => partitioner,
        };
        int known = dataSource.Classes;
        if (partitioner is ByzantineClassCopies copied && known > 0 && copied.Classes.Any(c => c >= known))
        {
            var partitionNode = root.Get("partition");
            var optionNode = partitionNode is YMapping map ? map["byzantine_classes"] : null;
            reader.Error(optionNode ?? partitionNode ?? root.Node, "partition.byzantine_classes",
                $"class {copied.Classes.First(c => c >= known)} does not exist: the data set has classes 0..{known - 1}");
        }

        if (inner is LabelNoise noisy)
        {
            inner = noisy.Inner;
        }

        if (inner is NaturalPartitioner && !dataSource.HasUsers)
        {
            reader.Error(root.Get("partition") ?? root.Node, "partition",
                "natural needs a data set whose samples belong to users (femnist, shakespeare); this data set has none");
        }
    }

    private static string Describe(AttackKnowledge knowledge) => string.Join(" and ", new[]
    {
        knowledge.HasFlag(AttackKnowledge.HonestUpdates) ? "the honest updates of the round" : null,
        knowledge.HasFlag(AttackKnowledge.Aggregator) ? "the server's aggregator" : null,
        knowledge.HasFlag(AttackKnowledge.OwnGradients) ? "its own gradients" : null,
    }.Where(s => s is not null));

    private static string Bool(bool value) => value ? "true" : "false";
}
