using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.SignGuard;

/// <summary>
/// SignGuard (Xu, Huang, Song, Lan, ICDCS 2022, arXiv 2109.05872); see <see cref="SignGuard"/>.
/// The rule does not use f; it keeps the largest sign cluster, so it needs an honest majority,
/// n &gt; 2f. The block of coordinates comes from the round's seed; the rows left out are reported
/// as malicious.
/// </summary>
public sealed class SignGuardAggregator(int f, SignGuardOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "signguard";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public SignGuardOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f and lower_bound < upper_bound";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F && Options.LowerBound < Options.UpperBound;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int n = inputs.Rows;
        AggregationException.ThrowUnlessAccepted(this, n);

        var norms = Rows.NormsOf(inputs, context.RowNorms.Span);
        var kept = new bool[n];
        double median = SignGuard.Select(inputs, norms, Options, new DeterministicRandom(Seed.Derive(context.Seed, RegistryName)), kept);
        Filtering.FlagExcluded(context.Verdicts, kept);
        SignGuard.Aggregate(inputs, norms, median, kept, destination);
        return null;
    }
}
