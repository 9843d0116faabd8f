using ByzantineSim.Simulator.Setup;
using Defaults = ByzantineSim.Experiments.Specs.RunReader.Defaults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>Reads a run's <c>threat</c> mapping: what the Byzantine coalition may know.</summary>
internal static class ThreatReader
{
    /// <summary>Reads <c>threat</c>; absent keys take their defaults (the reader has any errors).</summary>
    public static ThreatModel Read(NodeReader reader, MappingView root)
    {
        if (root.Get("threat") is not { } threat || reader.Mapping(threat, "threat") is not { } view)
        {
            return new ThreatModel(Defaults.Omniscient, Defaults.KnowsAggregator);
        }

        var model = new ThreatModel(view.Scalar("omniscient", Defaults.Omniscient), view.Scalar("knows_aggregator", Defaults.KnowsAggregator));
        view.Finish();
        return model;
    }
}
