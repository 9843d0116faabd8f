using System.Collections.Immutable;
using ByzantineSim.Clients.Data;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads a run's <c>unreliable</c> mapping: honest clients with degraded data
/// (<c>count</c> or <c>fraction</c> of the honest clients, <c>degradation</c>, <c>level</c>,
/// and MUD-HoG's per-batch draws <c>train_fraction</c> and <c>degraded_fraction</c>).
/// </summary>
internal static class UnreliableReader
{
    /// <summary>Reads <c>unreliable</c>, or null when absent (the reader has any errors); <paramref name="candidates"/> is how many clients can be unreliable.</summary>
    /// <remarks><paramref name="algorithm"/> is the clients' local work: <c>train_fraction</c> skips local steps, so it needs several (fedavg).</remarks>
    public static UnreliableSettings? Read(NodeReader reader, MappingView root, int candidates, ImmutableArray<int> sampleShape, Clients.Training.LocalMode algorithm)
    {
        if (root.Get("unreliable") is not { } node || reader.Mapping(node, "unreliable") is not { } view)
        {
            return null;
        }

        int count = view.Scalar("count", 0, v => v >= 1 && v <= candidates ? null : $"must be in [1, {candidates}], the number of honest clients");
        double fraction = view.Scalar("fraction", 0.0, v => v is > 0 and <= 1 ? null : "must be in (0, 1]");
        bool hasCount = view.Node["count"] is not null, hasFraction = view.Node["fraction"] is not null;
        if (hasCount == hasFraction)
        {
            reader.Error(hasCount ? view.Node["fraction"]! : view.Node, hasCount ? view.PathOf("fraction") : view.Path,
                hasCount ? "give either count or fraction, not both" : "needs count (how many honest clients are unreliable) or fraction (their share)");
        }

        var kind = view.Word("degradation", RunReader.Defaults.Degradation, SpecWords.Degradation);
        double level = view.Scalar("level", DefaultLevel(kind), LevelRule(kind));
        // A misspelt degradation was reported already; do not judge the default in its place.
        bool known = view.Node["degradation"] is not Yaml.YScalar given || SpecWords.Degradation.Parse(given.Value) is not null;
        if (known && !sampleShape.IsDefault && Degradation.Problem(kind, sampleShape) is { } problem)
        {
            reader.Error(view.Node["degradation"] ?? view.Node, view.PathOf("degradation"), problem);
        }

        double trainFraction = view.Scalar("train_fraction", RunReader.Defaults.UnreliableTrainFraction, v => v is > 0 and <= 1 ? null : "must be the probability that a local step is taken, in (0, 1]");
        if (view.Node["train_fraction"] is { } trainNode && algorithm == Clients.Training.LocalMode.Gradient)
        {
            reader.Error(trainNode, view.PathOf("train_fraction"), "skips local steps, so it needs training.algorithm: fedavg (a dsgd client computes one gradient per round)");
        }

        double degradedFraction = view.Scalar("degraded_fraction", RunReader.Defaults.UnreliableDegradedFraction, v => v is > 0 and <= 1 ? null : "must be the probability that a batch is degraded, in (0, 1]");
        if (view.Node["degraded_fraction"] is { } degradedNode && known && kind == DegradationKind.Labels)
        {
            reader.Error(degradedNode, view.PathOf("degraded_fraction"), "applies to pixel degradations (blur, downsample, noise); random labels stay with their samples");
        }

        view.Finish();
        return new UnreliableSettings(hasCount ? count : 0, hasFraction ? fraction : 0, kind, level)
        {
            TrainFraction = trainFraction,
            DegradedFraction = degradedFraction,
        };
    }

    /// <summary>The level a degradation takes when none is given.</summary>
    public static double DefaultLevel(DegradationKind kind) => kind switch
    {
        DegradationKind.Blur => RunReader.Defaults.BlurSigma,
        DegradationKind.Downsample => RunReader.Defaults.DownsampleFactor,
        DegradationKind.Noise => RunReader.Defaults.PixelNoise,
        _ => RunReader.Defaults.RandomLabels,
    };

    private static Func<double, string?> LevelRule(DegradationKind kind) => kind switch
    {
        DegradationKind.Blur => v => v > 0 && v <= 10 ? null : "must be a blur sigma in (0, 10] pixels",
        DegradationKind.Downsample => v => v >= 2 && v <= 64 && v == Math.Floor(v) ? null : "must be a whole downsampling factor in [2, 64]",
        DegradationKind.Noise => v => v > 0 && v <= 10 ? null : "must be a noise standard deviation in (0, 10] (a share of the feature range)",
        _ => v => v is > 0 and <= 1 ? null : "must be the share of random labels, in (0, 1]",
    };
}
