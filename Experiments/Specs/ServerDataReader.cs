using ByzantineSim.Simulator.Setup;
using Defaults = ByzantineSim.Experiments.Specs.RunReader.Defaults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>Reads a run's <c>server_data</c> mapping: the server's own root data set (FLTrust).</summary>
internal static class ServerDataReader
{
    /// <summary>Reads <c>server_data</c>: null when absent (the reader has any errors); the seed defaults to the run's.</summary>
    public static ServerDataSpec? Read(NodeReader reader, MappingView root, long runSeed)
    {
        if (root.Get("server_data") is not { } node || reader.Mapping(node, "server_data") is not { } view)
        {
            return null;
        }

        var spec = new ServerDataSpec(
            view.Scalar("size", Defaults.ServerDataSize, v => v >= 1 ? null : "must be >= 1 samples"),
            view.Word("source", Defaults.ServerDataSource, SpecWords.ServerDataSource),
            view.Scalar("seed", runSeed));
        view.Finish();
        return spec;
    }
}

/// <summary>A run's <c>server_data</c> as read.</summary>
/// <param name="Size">Samples the server holds.</param>
/// <param name="Source">Drawn from the training set (before partitioning) or held out of the test set.</param>
/// <param name="Seed">Seed of the draw and of the server's minibatches.</param>
public sealed record ServerDataSpec(int Size, ServerDataSource Source, long Seed)
{
    /// <summary>The simulator's settings.</summary>
    public ServerDataSettings ToSettings() => new(Size, Source, unchecked((ulong)Seed));
}
