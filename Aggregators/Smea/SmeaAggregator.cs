using System.Globalization;

namespace ByzantineSim.Aggregators.Smea;

/// <summary>
/// Smallest maximum eigenvalue averaging (Allouah, Guerraoui, Gupta, Pinot, Stephan, "On the
/// Privacy-Robustness-Utility Trilemma in Distributed Learning", ICML 2023, arXiv 2302.04787); see
/// <see cref="Smea"/>. Requires n &gt; 2f and C(n, f) &lt;= max_subsets: the search is
/// exponential, so the rule refuses, naming the count and the limit, rather than run for years.
/// </summary>
public sealed class SmeaAggregator(int f, SmeaOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "smea";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public SmeaOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => $"n > 2f and C(n, f) <= max_subsets ({Options.MaxSubsets.ToString(CultureInfo.InvariantCulture)})";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F && Mda.Mda.Subsets(n, F) <= Options.MaxSubsets;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int n = inputs.Rows;
        if (n <= 2 * F)
        {
            throw new AggregationException($"{Name} cannot aggregate {n} inputs: requires n > 2f (f = {F})");
        }

        double subsets = Mda.Mda.Subsets(n, F);
        if (subsets > Options.MaxSubsets)
        {
            throw new AggregationException(
                $"{Name} refuses n = {n}, f = {F}: C({n}, {F}) = {subsets.ToString("G4", CultureInfo.InvariantCulture)} subsets " +
                $"exceeds max_subsets = {Options.MaxSubsets.ToString(CultureInfo.InvariantCulture)}; raise max_subsets or choose another rule (caf filters in polynomial time)");
        }

        Smea.Aggregate(inputs, F, destination);
        return null;
    }
}
