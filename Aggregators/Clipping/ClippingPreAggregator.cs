namespace ByzantineSim.Aggregators.Clipping;

/// <summary>
/// Static norm clipping to radius c (default 2); see <see cref="Clipping"/>. n rows in, n out.
/// No condition beyond n &gt;= 1.
/// </summary>
public sealed class ClippingPreAggregator(int f, ClippingOptions options) : IRowwisePreAggregator
{
    /// <summary>The name a spec's YAML uses to select this pre-aggregator; its key in the pre-aggregator registry.</summary>
    public const string RegistryName = "clipping";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <summary>The number of Byzantine inputs of the run (clipping does not use it).</summary>
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public ClippingOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n >= 1";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= 1;

    /// <inheritdoc />
    public int OutputRows(int n) => n;

    /// <inheritdoc />
    public void Apply(RowMatrix inputs, Span<float> output, in AggregationContext context) =>
        Clipping.Apply(inputs, Options.Threshold, output, context.RowNorms.Span);

    /// <inheritdoc />
    public void ApplyRow(ReadOnlySpan<float> row, Span<float> output, in AggregationContext context) =>
        Clipping.ScaleTo(row, Rows.Norm(row), Options.Threshold, output);
}
