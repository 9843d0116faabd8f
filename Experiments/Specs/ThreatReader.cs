using ByzantineSim.Simulator.Setup;
using Defaults = ByzantineSim.Experiments.Specs.RunReader.Defaults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>Reads a run's <c>threat</c> mapping: what the Byzantine coalition may know.</summary>
internal static class ThreatReader
{
    /// <summary>
    /// Reads <c>threat</c>; absent keys take their defaults (the reader has any errors). Also
    /// returns <c>server_knows_count</c> (whether the server's rule is told each round's number of
    /// Byzantine clients) and its node when given.
    /// </summary>
    public static (ThreatModel Model, bool ServerKnowsCount, Yaml.YNode? KnowsCountNode) Read(NodeReader reader, MappingView root)
    {
        if (root.Get("threat") is not { } threat || reader.Mapping(threat, "threat") is not { } view)
        {
            return (new ThreatModel(Defaults.Omniscient, Defaults.KnowsAggregator), Defaults.ServerKnowsCount, null);
        }

        var model = new ThreatModel(view.Scalar("omniscient", Defaults.Omniscient), view.Scalar("knows_aggregator", Defaults.KnowsAggregator));
        bool knowsCount = view.Scalar("server_knows_count", Defaults.ServerKnowsCount);
        var knowsCountNode = view.Node["server_knows_count"];
        view.Finish();
        return (model, knowsCount, knowsCountNode);
    }
}
