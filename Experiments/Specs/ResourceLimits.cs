using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// What a run may use, checked at validation: memory (the machine's, or <c>--max-memory</c>) and
/// the trainer threads its estimate counts.
/// </summary>
/// <param name="MemoryBytes">The memory a run may need at most.</param>
/// <param name="Source">Where the limit comes from, for messages: <c>available</c> or <c>--max-memory</c>.</param>
/// <param name="Trainers">Trainer threads.</param>
public sealed record ResourceLimits(double MemoryBytes, string Source, int Trainers)
{
    /// <summary>No memory limit (array sizes are still checked).</summary>
    public static ResourceLimits Unlimited { get; } = new(double.PositiveInfinity, "unlimited", Environment.ProcessorCount);

    /// <summary>
    /// This machine's memory as the runtime sees it: physical memory, or the container's limit.
    /// Not what is free right now, so a spec validates the same on a given machine whatever else runs.
    /// </summary>
    public static ResourceLimits Machine(int trainers) => new(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, "available", trainers);

    /// <summary>
    /// Reports to <paramref name="reader"/> a run that cannot exist (sizes past what an array holds)
    /// or needs more memory than the limit, at the setting that drives the largest part.
    /// </summary>
    public void Check(NodeReader reader, YMapping run, RunSetup setup)
    {
        if (setup.Data.Shape is not { } data)
        {
            return;
        }

        double d = setup.Model.ParameterCount(data.SampleShape, data.Outputs);
        if (double.IsNaN(d))
        {
            return;
        }

        bool impossible = false;
        foreach (var term in ResourceEstimate.Impossible(d, data, TrainingSettings.ParticipantsPerRound(setup.Training.Participation, setup.TotalClients)))
        {
            impossible = true;
            var (node, path) = Locate(run, term.Path);
            reader.Error(node, path, $"{term.Formula}; lower it");
        }

        if (impossible || ResourceEstimate.Of(setup, Trainers) is not { } estimate || estimate.TotalBytes <= MemoryBytes)
        {
            return;
        }

        var dominant = estimate.Dominant;
        var (at, atPath) = Locate(run, dominant.Path);
        reader.Error(at, atPath,
            $"a run needs about {ResourceEstimate.Bytes(estimate.TotalBytes)}, over the {ResourceEstimate.Bytes(MemoryBytes)} {Source}; " +
            $"most of it is {dominant.Name}: {ResourceEstimate.Bytes(dominant.Bytes)} ({dominant.Formula}); lower it, or pass --max-memory");
    }

    /// <summary>The node of <paramref name="path"/> in the run (the deepest that exists) and the path it stands for.</summary>
    private static (YNode Node, string Path) Locate(YMapping run, string path)
    {
        YNode node = run;
        string found = "";
        foreach (string key in path.Split('.'))
        {
            if (node is not YMapping mapping || mapping[key] is not { } child)
            {
                break;
            }

            node = child;
            found = found.Length == 0 ? key : $"{found}.{key}";
        }

        // A model given by its options points at the option that sizes it.
        if (node is YMapping model && path == "model" && model["hidden"] is { } hidden)
        {
            return (hidden, "model.hidden");
        }

        return (node, found.Length == 0 ? path : found);
    }
}
