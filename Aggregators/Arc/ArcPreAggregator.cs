namespace ByzantineSim.Aggregators.Arc;

/// <summary>
/// Adaptive robust clipping (Allouah et al., NeurIPS 2024, arXiv 2405.14432); see <see cref="Arc"/>.
/// n rows in, n out. Requires n &gt; 2f (so that the clipped inputs include every Byzantine one
/// that stands out by norm).
/// </summary>
public sealed class ArcPreAggregator(int f) : IPreAggregator
{
    /// <summary>The name a spec's YAML uses to select this pre-aggregator; its key in the pre-aggregator registry.</summary>
    public const string RegistryName = "arc";

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
    public void Apply(RowMatrix inputs, Span<float> output, in AggregationContext context) => Arc.Apply(inputs, F, output, context.RowNorms.Span);
}
