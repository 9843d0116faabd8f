using ByzantineSim.Aggregators;
using ByzantineSim.Aggregators.Gossip;
using ByzantineSim.Attacks;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Peers;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads a run's <c>topology</c> (peer-to-peer mode) and checks it against the rest of the run:
/// every graph of the run connected, the honest peers connected among themselves, the local rule's
/// condition in every honest peer's neighbourhood, and the settings a run without a server cannot have.
/// </summary>
internal static class TopologyReader
{
    /// <summary>The words of <c>topology.name</c>.</summary>
    public static SpecWords<TopologyKind> Names { get; } = new(
        ("ring", TopologyKind.Ring), ("torus", TopologyKind.Torus), ("complete", TopologyKind.Complete), ("erdos-renyi", TopologyKind.ErdosRenyi),
        ("random-regular", TopologyKind.RandomRegular), ("exponential", TopologyKind.Exponential), ("time-varying", TopologyKind.TimeVarying),
        ("dumbbell", TopologyKind.Dumbbell));

    /// <summary>The mixing rules named in the <c>aggregator</c>'s place (peer-to-peer only; <c>aggregator</c> stands for any registered rule).</summary>
    public static SpecWords<PeerMixing> Mixings { get; } = new(
        ("aggregator", PeerMixing.Aggregator), ("gossip", PeerMixing.Gossip), ("clipped-gossip", PeerMixing.ClippedGossip), ("bristle", PeerMixing.Bristle));

    /// <summary>Defaults of <c>topology.transfer</c>: public samples, epochs, learning rate, batch size.</summary>
    public static TransferSettings DefaultTransfer { get; } = new(3000, 2, 0.1, 32, 0);

    // Bristle's options and what they stand for.
    private const string AlphaOption = "alpha", CandidatesOption = "candidates", SamplesOption = "samples", SharedClassesOption = "shared_classes";

    /// <summary>The option of <c>aggregator: {name: clipped-gossip}</c>: a fixed clipping radius instead of the adaptive one.</summary>
    public const string ClipRadiusOption = "clip_radius";

    /// <summary>
    /// When <c>aggregator</c> names a peer-to-peer mixing rule (<c>gossip</c>, <c>clipped-gossip</c>,
    /// which need the graph's Metropolis weights and so are no registered aggregator), reads it:
    /// its canonical plug-in text, the rule and its fixed radius. Null when it names anything else
    /// (the registry reads it). Outside a topology it is an error.
    /// </summary>
    public static (PluginSpec Spec, PeerMixing Mixing, double? Radius, BristleSettings? Bristle)? ReadMixing(NodeReader reader, MappingView root, TopologySettings? topology)
    {
        var node = root.Node["aggregator"];
        var nameNode = node as YScalar ?? (node as YMapping)?["name"] as YScalar;
        if (nameNode is null || Mixings.Parse(nameNode.Value) is not { } mixing || mixing == PeerMixing.Aggregator)
        {
            return null;
        }

        _ = root.Get("aggregator");
        if (topology is null)
        {
            reader.Error(nameNode, "aggregator", $"{nameNode.Value} is a peer-to-peer mixing rule: it needs a topology (e.g. topology: {{name: ring}})");
            return (PluginSpec.Named(nameNode.Value), mixing, null, null); // read, not bound: the run has its error
        }

        double? radius = null;
        var bristle = mixing == PeerMixing.Bristle ? new BristleSettings(BristlePrioritizer.DefaultAlpha, BristlePrioritizer.DefaultCandidates, BristleSettings.DefaultSamples) : null;
        var options = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        if (node is YMapping mapping)
        {
            foreach (var (key, value) in mapping.Entries.Where(e => e.Key.Value != "name"))
            {
                string path = $"aggregator.{key.Value}";
                if (mixing == PeerMixing.ClippedGossip && key.Value == ClipRadiusOption)
                {
                    radius = reader.Scalar(value, path, 1.0, v => v > 0 && double.IsFinite(v) ? null : "must be a finite number > 0 (omit it for the adaptive radius)");
                    options = options.Add(ClipRadiusOption, Canonical.Number(radius.Value));
                }
                else if (bristle is not null && key.Value == AlphaOption)
                {
                    bristle = bristle with { Alpha = reader.Scalar(value, path, bristle.Alpha, v => v is >= 0 and <= 1 ? null : "must be in [0, 1]") };
                    options = options.Add(AlphaOption, Canonical.Number(bristle.Alpha));
                }
                else if (bristle is not null && key.Value == CandidatesOption)
                {
                    bristle = bristle with { Candidates = reader.Scalar(value, path, bristle.Candidates, v => v >= 1 ? null : "must be >= 1") };
                    options = options.Add(CandidatesOption, bristle.Candidates.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                else if (bristle is not null && key.Value == SamplesOption)
                {
                    bristle = bristle with { Samples = reader.Scalar(value, path, bristle.Samples, v => v >= 1 ? null : "must be >= 1 own samples") };
                    options = options.Add(SamplesOption, bristle.Samples.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                else if (bristle is not null && key.Value == SharedClassesOption)
                {
                    bristle = bristle with { SharedClasses = reader.Scalar(value, path, false) };
                    if (bristle.SharedClasses)
                    {
                        options = options.Add(SharedClassesOption, "true"); // omitted at its default: run ids unchanged
                    }
                }
                else
                {
                    string known = mixing switch
                    {
                        PeerMixing.ClippedGossip => ClipRadiusOption,
                        PeerMixing.Bristle => $"{AlphaOption}, {CandidatesOption}, {SamplesOption}, {SharedClassesOption}",
                        _ => "none",
                    };
                    reader.Error(key, path, $"unknown option '{key.Value}' for {nameNode.Value}; known: {known}");
                }
            }
        }

        if (bristle is not null && topology.Transfer is null)
        {
            reader.Error(nameNode, "aggregator", "bristle integrates output layers over frozen pretrained layers: it needs topology.transfer (e.g. topology: {name: complete, transfer: {samples: 3000}})");
        }

        return (options.IsEmpty ? PluginSpec.Named(nameNode.Value) : new PluginSpec(nameNode.Value, options), mixing, radius, bristle);
    }

    /// <summary>Reads <c>topology</c>: null when absent (a star run) or unreadable (the reader has the errors).</summary>
    public static TopologySettings? Read(NodeReader reader, MappingView root, long runSeed)
    {
        if (root.Get("topology") is not { } node || reader.Mapping(node, "topology") is not { } view)
        {
            return null;
        }

        view.Require("name", "topology.name", $"is required: {Names.Rule}");

        var kind = view.Word("name", TopologyKind.Ring, Names);
        var settings = new TopologySettings(kind, unchecked((ulong)view.Scalar("seed", runSeed)));
        if (kind is TopologyKind.ErdosRenyi or TopologyKind.TimeVarying)
        {
            settings = settings with { Probability = view.Scalar("p", TopologySettings.DefaultProbability, v => v > 0 && v <= 1 ? null : "must be in (0, 1]") };
        }

        if (kind == TopologyKind.RandomRegular)
        {
            settings = settings with { Degree = view.Scalar("k", TopologySettings.DefaultDegree, v => v >= 1 ? null : "must be >= 1") };
        }

        if (kind == TopologyKind.TimeVarying)
        {
            settings = settings with { Every = view.Scalar("every", TopologySettings.DefaultEvery, v => v >= 1 ? null : "must be >= 1 round") };
        }

        if (view.Get("transfer") is { } transferNode && reader.Mapping(transferNode, "topology.transfer") is { } transfer)
        {
            var defaults = DefaultTransfer;
            settings = settings with
            {
                Transfer = new TransferSettings(
                    transfer.Scalar("samples", defaults.Samples, v => v >= 1 ? null : "must be >= 1 public samples"),
                    transfer.Scalar("epochs", defaults.Epochs, v => v >= 0 ? null : "must be >= 0"),
                    transfer.Scalar("learning_rate", defaults.LearningRate, Checks.PositiveFinite),
                    transfer.Scalar("batch_size", defaults.BatchSize, v => v >= 1 ? null : "must be >= 1"),
                    unchecked((ulong)transfer.Scalar("seed", runSeed))),
            };
            transfer.Finish();
        }

        view.Finish();
        return settings;
    }

    /// <summary>
    /// The largest number of Byzantine neighbours an honest peer has in any graph of the run: the
    /// local rule's default f. Null when a graph cannot be built (<see cref="Check"/> reports it).
    /// </summary>
    public static int? LocalByzantine(TopologySettings topology, int n, int f, int rounds)
    {
        try
        {
            return topology.Graphs(rounds, n, f).Max(g => Enumerable.Range(0, g.Graph.Honest).Select(g.Graph.ByzantineNeighbours).DefaultIfEmpty(0).Max());
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Checks every graph of the run and the local rule in every honest peer's neighbourhood.</summary>
    public static void Check(NodeReader reader, MappingView root, TopologySettings topology, int n, int f, int rounds, AggregationPipeline? pipeline, IAggregator? aggregator)
    {
        var node = root.Get("topology") ?? root.Node;
        string name = Names.Word(topology.Kind);
        if (n < 2)
        {
            reader.Error(node, "topology", $"needs at least 2 peers (clients.n={n})");
            return;
        }

        List<(int FirstRound, PeerGraph Graph)> graphs;
        try
        {
            graphs = [.. topology.Graphs(rounds, n, f)];
        }
        catch (ArgumentException ex)
        {
            reader.Error(node, "topology", ex.Message.Split(" (Parameter")[0]);
            return;
        }

        string At(int round) => topology.Kind == TopologyKind.TimeVarying ? $" drawn for round {round}" : "";
        foreach (var (round, graph) in graphs)
        {
            if (!graph.IsConnected)
            {
                reader.Error(node, "topology", $"the {name} graph{At(round)} on {n} peers is disconnected (seed {topology.Seed}); raise p or k, or change topology.seed");
                return;
            }

            if (!graph.HonestConnected)
            {
                reader.Error(node, "topology",
                    $"the honest peers of the {name} graph{At(round)} are disconnected once its {f} Byzantine peers are removed, so they cannot agree; use fewer Byzantine peers or a denser graph");
                return;
            }

            if (pipeline is null || aggregator is null || topology.Mixing != PeerMixing.Aggregator)
            {
                continue;
            }

            for (int peer = 0; peer < graph.Honest; peer++)
            {
                int inputs = graph.Neighbours[peer].Length + 1;
                if (!pipeline.Accepts(inputs))
                {
                    reader.Error(root.Get("aggregator") ?? root.Node, "aggregator",
                        $"must satisfy {aggregator.Requirement} for {aggregator.Name} at peer {peer} of the {name} graph{At(round)} (n={inputs}: its own model and {inputs - 1} neighbours', " +
                        $"f={aggregator.F}: the most Byzantine neighbours of an honest peer); use a denser graph, fewer Byzantine peers, or aggregator: clipped-gossip");
                    return;
                }
            }
        }
    }

    /// <summary>Transfer learning freezes every layer before a linear output: the model must have such layers.</summary>
    public static void CheckTransfer(NodeReader reader, MappingView root, TopologySettings topology, Clients.Models.IModelDefinition? model)
    {
        if (topology.Transfer is not null && model is not null && model is not Clients.Models.MultiLayerPerceptron { Hidden.Length: > 0 })
        {
            reader.Error(root.Get("model") ?? root.Get("topology") ?? root.Node, "topology.transfer",
                $"topology.transfer freezes the layers before a linear output layer, which {model.Description} does not have; use model: {{name: mlp, hidden: [64]}}");
        }
    }

    /// <summary>The settings a run without a server cannot have, each reported at its path.</summary>
    public static void CheckRun(
        NodeReader reader, MappingView root, TopologySettings topology, TrainingSpec training, IAttack? attack, int f, PluginSpec? compression, double privacyClip, bool serverData, bool faults, bool preAggregators)
    {
        void Refuse(string path, string why) => reader.Error(root.Node.Deepest(path) ?? root.Get("topology") ?? root.Node, path, why + " with a topology (peer-to-peer runs)");
        if (topology.Mixing != PeerMixing.Aggregator && preAggregators)
        {
            Refuse("pre_aggregators", $"must be empty for {Mixings.Word(topology.Mixing)}");
        }

        if (training.Participation != 1)
        {
            Refuse("training.participation", "must be 1");
        }

        if (training.Algorithm != Clients.Training.LocalMode.Gradient)
        {
            Refuse("training.algorithm", "must be dsgd (one local SGD step per round, then mixing)");
        }

        if (training.ServerMomentum != 0)
        {
            Refuse("training.server_momentum", "must be 0: there is no server");
        }

        if (compression is not null && compression.Name != RunReader.Defaults.Compression)
        {
            Refuse("compression", "must be none");
        }

        if (privacyClip > 0)
        {
            Refuse("privacy", "is not supported");
        }

        if (serverData)
        {
            Refuse("server_data", "is not possible: there is no server");
        }

        if (faults)
        {
            Refuse("faults", "are not supported");
        }

        if (attack is not null && f > 0 && (attack.Requires.HasFlag(AttackKnowledge.OwnGradients) || attack.Requires.HasFlag(AttackKnowledge.Aggregator) || attack.Poisoning is not null))
        {
            reader.Error(root.Node.Deepest("attack") ?? root.Node, "attack",
                $"{attack.Name} is not supported with a topology (peer-to-peer runs): it needs the Byzantine peers' own training or the rule it attacks, which peers do not model; use an attack on the honest models (sign-flip, alie, ipm, gaussian, dissensus, ...)");
        }
    }
}
