using System.Collections.Immutable;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Faults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads a run's <c>faults</c> mapping (crash-stop, stragglers, message loss of honest clients)
/// and checks it against the population and the server's simulated deadline.
/// </summary>
internal static class FaultsReader
{
    /// <summary>Reads <c>faults</c>; returns <see cref="FaultSettings.None"/> when absent (the reader has any errors).</summary>
    public static FaultSettings Read(NodeReader reader, MappingView root, int honest, double deadline, bool deadlineGiven)
    {
        if (root.Get("faults") is not { } node || reader.Mapping(node, "faults") is not { } view)
        {
            return FaultSettings.None;
        }

        var crash = view.Get("crash") is { } crashNode ? ReadCrash(reader, crashNode, view.PathOf("crash"), honest) : null;
        var stragglers = view.Get("stragglers") is { } stragglersNode ? ReadStragglers(reader, stragglersNode, view.PathOf("stragglers"), honest) : null;
        double loss = view.Scalar("message_loss", RunReader.Defaults.MessageLoss, v => v is >= 0 and < 1 ? null : "must be in [0, 1)");
        view.Finish();

        var faults = new FaultSettings(crash, stragglers, loss);
        // An invalid deadline was reported already; do not add a second message about it.
        if (faults.LosesUpdates && !double.IsFinite(deadline) && !deadlineGiven)
        {
            reader.Error(node, "faults",
                "crash and message_loss need server.deadline (simulated seconds): without a deadline the server would wait for ever for an update that never comes");
        }

        return faults;
    }

    private static CrashFaults? ReadCrash(NodeReader reader, YNode node, string path, int honest)
    {
        if (reader.Mapping(node, path) is not { } view)
        {
            return null;
        }

        var clients = ReadClients(reader, view, honest);
        int count = view.Scalar("count", 0, v => v >= 1 && v <= honest ? null : $"must be in [1, {honest}], the number of honest clients");
        int from = view.Scalar("from_round", RunReader.Defaults.CrashFromRound, v => v >= 0 ? null : "must be >= 0");
        OneOf(reader, view, "clients", "count");
        view.Finish();
        return new CrashFaults(clients, count, from);
    }

    private static StragglerFaults? ReadStragglers(NodeReader reader, YNode node, string path, int honest)
    {
        if (reader.Mapping(node, path) is not { } view)
        {
            return null;
        }

        var clients = ReadClients(reader, view, honest);
        double fraction = view.Scalar("fraction", 0.0, v => v is > 0 and <= 1 ? null : "must be in (0, 1]");
        OneOf(reader, view, "clients", "fraction");
        var kind = view.Word("delay", RunReader.Defaults.Delay, SpecWords.Delay);
        double mean = view.Scalar("mean", RunReader.Defaults.DelayMean, Checks.PositiveFinite);
        double low = view.Scalar("low", RunReader.Defaults.DelayLow, Checks.NonNegativeFinite);
        double high = view.Scalar("high", RunReader.Defaults.DelayHigh, v => double.IsFinite(v) ? null : "must be finite");
        foreach (string key in kind == DelayKind.Uniform ? new[] { "mean" } : ["low", "high"])
        {
            if (view.Node[key] is { } misplaced)
            {
                reader.Error(misplaced, view.PathOf(key), $"does not apply to the {SpecWords.Delay.Word(kind)} delay (exponential and constant take mean; uniform takes low and high)");
            }
        }

        if (kind == DelayKind.Uniform && !(high > low))
        {
            reader.Error(view.Node["high"] ?? view.Node, view.PathOf("high"), $"must be greater than low (low={low}, got high={high})");
        }

        view.Finish();
        return new StragglerFaults(clients, fraction, new DelayDistribution(kind, mean, low, high));
    }

    private static ImmutableArray<int> ReadClients(NodeReader reader, MappingView view, int honest)
    {
        if (view.Get("clients") is not { } node)
        {
            return [];
        }

        var ids = reader.List<int>(node, view.PathOf("clients"),
            v => v >= 0 && v < honest ? null : $"must be an honest client id in [0, {honest - 1}]");
        if (ids.Distinct().Count() != ids.Length)
        {
            reader.Error(node, view.PathOf("clients"), "must not repeat a client");
        }

        if (ids.IsEmpty)
        {
            reader.Error(node, view.PathOf("clients"), "must name at least one client");
        }

        return [.. ids.Order()];
    }

    /// <summary>Exactly one of two alternative keys must be given.</summary>
    private static void OneOf(NodeReader reader, MappingView view, string first, string second)
    {
        bool hasFirst = view.Node[first] is not null;
        bool hasSecond = view.Node[second] is not null;
        if (hasFirst == hasSecond)
        {
            reader.Error(hasFirst ? view.Node[second]! : view.Node, hasFirst ? view.PathOf(second) : view.Path,
                hasFirst ? $"give either {first} or {second}, not both" : $"needs {first} (a list of client ids) or {second}");
        }
    }
}
