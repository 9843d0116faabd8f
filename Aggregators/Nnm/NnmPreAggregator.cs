namespace ByzantineSim.Aggregators.Nnm;

/// <summary>
/// Nearest neighbour mixing (Allouah et al., AISTATS 2023, arXiv 2302.01772); see <see cref="Nnm"/>.
/// n rows in, n rows out. Requires n &gt; 2f.
/// </summary>
public sealed class NnmPreAggregator(int f) : IPreAggregator
{
    /// <summary>The name a spec's YAML uses to select this pre-aggregator; its key in the pre-aggregator registry.</summary>
    public const string RegistryName = "nnm";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <summary>The number of Byzantine inputs tolerated.</summary>
    public int F { get; } = f;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F;

    /// <inheritdoc />
    public int OutputRows(int n) => n;

    /// <inheritdoc />
    public void Apply(RowMatrix inputs, Span<float> output, in AggregationContext context) => Nnm.Apply(inputs, F, output);
}
