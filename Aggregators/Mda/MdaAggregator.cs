using System.Globalization;

namespace ByzantineSim.Aggregators.Mda;

/// <summary>
/// Minimum-diameter averaging (El Mhamdi, Guerraoui, Rouault, ICLR 2021, arXiv 2003.00010); see
/// <see cref="Mda"/>. Requires n &gt; 2f and C(n, f) &lt;= max_subsets: the search is exponential,
/// so the rule refuses, naming the count and the limit, rather than run for years.
/// </summary>
public sealed class MdaAggregator(int f, MdaOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "mda";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public MdaOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => $"n > 2f and C(n, f) <= max_subsets ({Options.MaxSubsets.ToString(CultureInfo.InvariantCulture)})";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F && Mda.Subsets(n, F) <= Options.MaxSubsets;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int n = inputs.Rows;
        if (n <= 2 * F)
        {
            throw new AggregationException($"{Name} cannot aggregate {n} inputs: requires n > 2f (f = {F})");
        }

        double subsets = Mda.Subsets(n, F);
        if (subsets > Options.MaxSubsets)
        {
            throw new AggregationException(
                $"{Name} refuses n = {n}, f = {F}: C({n}, {F}) = {subsets.ToString("G4", CultureInfo.InvariantCulture)} subsets " +
                $"exceeds max_subsets = {Options.MaxSubsets.ToString(CultureInfo.InvariantCulture)}; raise max_subsets or choose another rule");
        }

        Mda.Aggregate(inputs, F, destination);
        return null;
    }
}
