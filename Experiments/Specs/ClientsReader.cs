using ByzantineSim.Experiments.Yaml;
using Defaults = ByzantineSim.Experiments.Specs.RunReader.Defaults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>Reads a run's <c>clients</c> mapping: n clients in total, f of them Byzantine.</summary>
internal static class ClientsReader
{
    /// <summary>Reads <c>clients</c> and checks f &lt; n/2; absent keys take their defaults (the reader has any errors).</summary>
    public static (int Clients, int Byzantine) Read(NodeReader reader, MappingView root)
    {
        int n = Defaults.Clients, f = Defaults.Byzantine;
        YNode clientsNode = root.Get("clients") ?? root.Node;
        YNode? fNode = null;
        if (root.Get("clients") is { } clients && reader.Mapping(clients, "clients") is { } view)
        {
            n = view.Scalar("n", Defaults.Clients, v => v >= 1 ? null : "must be >= 1");
            fNode = view.Get("f");
            f = view.Scalar("f", Defaults.Byzantine, v => v >= 0 ? null : "must be >= 0");
            view.Finish();
        }

        if (2 * f >= n)
        {
            reader.Error(fNode ?? clientsNode, "clients.f", $"must be less than n/2 (n={n}, got f={f})");
        }

        return (n, f);
    }
}
