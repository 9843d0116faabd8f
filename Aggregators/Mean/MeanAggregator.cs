using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Aggregators.Mean;

/// <summary>
/// Coordinate-wise average (FedAvg's rule): F(x) = (1/n) sum_i x_i. Not robust: a single
/// Byzantine input moves it arbitrarily far, and a NaN or Inf input poisons the output. It is
/// the baseline every robust rule is compared with.
/// </summary>
public sealed class MeanAggregator(int f) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "mean";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <inheritdoc />
    public string Requirement => "n >= 1";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= 1;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        VectorMath.MeanOfRows(inputs, destination);
        return null;
    }
}
