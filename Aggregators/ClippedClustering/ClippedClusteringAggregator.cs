using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.ClippedClustering;

/// <summary>
/// Clipped clustering (Li et al., IEEE Transactions on Big Data 2023); see <see cref="ClippedClustering"/>. The clipping threshold is the median of
/// every finite norm seen so far in the run (Blades' history), carried in
/// <see cref="ClippedClusteringState"/>, capped at <c>max_threshold</c>. The rule does not use f;
/// it keeps the larger cluster, so it needs honest majority, n &gt; 2f, and two rows to split.
/// The rows outside the kept cluster are reported as malicious.
/// </summary>
public sealed class ClippedClusteringAggregator(int f, ClippedClusteringOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "clipped-clustering";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public ClippedClusteringOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f and n >= 2";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F && n >= 2;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int n = inputs.Rows;
        AggregationException.ThrowUnlessAccepted(this, n);

        var norms = Rows.NormsOf(inputs, context.RowNorms.Span);
        var history = Options.History && context.State is ClippedClusteringState previous ? previous.Norms : [];
        var merged = Merge(history, norms);
        double threshold = Math.Min(Filtering.Median(merged.AsSpan()), Options.MaxThreshold);

        var kept = new bool[n];
        var (rows, scales) = ClippedClustering.Select(inputs, norms, threshold, Options.SingleLinkage, kept);
        Filtering.FlagExcluded(context.Verdicts, kept);
        Filtering.Mean(inputs, rows, scales, destination, Name);
        return Options.History ? new ClippedClusteringState(merged) : null;
    }

    /// <summary>The sorted history with this round's finite norms merged in.</summary>
    private static ImmutableArray<double> Merge(ImmutableArray<double> sorted, ReadOnlySpan<double> norms)
    {
        var fresh = norms.ToArray().Where(double.IsFinite).Order().ToArray();
        var result = ImmutableArray.CreateBuilder<double>(sorted.Length + fresh.Length);
        int a = 0, b = 0;
        while (a < sorted.Length || b < fresh.Length)
        {
            result.Add(b >= fresh.Length || (a < sorted.Length && sorted[a] <= fresh[b]) ? sorted[a++] : fresh[b++]);
        }

        return result.MoveToImmutable();
    }
}

/// <summary>Clipped clustering's state: every finite norm seen so far in the run, sorted.</summary>
/// <param name="Norms">The norms, increasing.</param>
public sealed record ClippedClusteringState(ImmutableArray<double> Norms) : AggregatorState;
