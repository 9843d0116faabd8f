namespace ByzantineSim.Aggregators.Bucketing;

/// <summary>
/// Bucketing (Karimireddy, He, Jaggi, ICLR 2022, arXiv 2006.09365); see <see cref="Bucketing"/>.
/// The order is drawn from <see cref="AggregationContext.Seed"/>, so a round is repeatable.
/// </summary>
public sealed class BucketingPreAggregator(int f, BucketingOptions options) : IPreAggregator
{
    /// <summary>The name a spec's YAML uses to select this pre-aggregator; its key in the pre-aggregator registry.</summary>
    public const string RegistryName = "bucketing";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <summary>The number of Byzantine inputs tolerated (unchanged by bucketing).</summary>
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public BucketingOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n >= 1";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= 1;

    /// <inheritdoc />
    public int OutputRows(int n) => (n + Options.BucketSize - 1) / Options.BucketSize;

    /// <inheritdoc />
    public bool KeepsPositions => false;

    /// <inheritdoc />
    public void Apply(RowMatrix inputs, Span<float> output, in AggregationContext context) =>
        Bucketing.Apply(inputs, Bucketing.Permutation(inputs.Rows, context.Seed), Options.BucketSize, output);
}
