namespace ByzantineSim.Aggregators.Mean;

/// <summary>
/// Coordinate-wise average (FedAvg's rule): F(x) = (1/n) sum_i x_i. Not robust: a single
/// Byzantine input moves it arbitrarily far, and a NaN or Inf input poisons the output. It is
/// the baseline every robust rule is compared with. With weights (sample-size-weighted FedAvg,
/// McMahan et al., AISTATS 2017, arXiv 1602.05629, Algorithm 1: w = sum_k (n_k / n) w_k) it is
/// F(x) = sum_i w_i x_i / sum_i w_i; rows of weight zero are left out.
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
    public bool SupportsWeights => true;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        if (context.Weights.IsEmpty)
        {
            VectorMath.MeanOfRows(inputs, destination);
        }
        else
        {
            WeightedMean(inputs, context.Weights.Span, destination);
        }

        return null;
    }

    /// <summary>destination = sum_i w_i x_i / sum_i w_i over the rows of non-zero weight.</summary>
    /// <exception cref="AggregationException">The weights are not one finite non-negative value per row, or all are zero.</exception>
    public static void WeightedMean(RowMatrix inputs, ReadOnlySpan<double> weights, Span<float> destination)
    {
        if (weights.Length != inputs.Rows)
        {
            throw new AggregationException($"{weights.Length} weights for {inputs.Rows} rows");
        }

        double total = 0;
        var rows = new List<int>(inputs.Rows);
        foreach (double w in weights)
        {
            if (!double.IsFinite(w) || w < 0)
            {
                throw new AggregationException($"a weight must be finite and >= 0, got {w}");
            }

            total += w;
        }

        if (total <= 0)
        {
            throw new AggregationException("every input has weight 0 (no client holds samples)");
        }

        var shares = new List<float>(inputs.Rows);
        for (int i = 0; i < weights.Length; i++)
        {
            // 0 * Inf would be NaN: a row without samples is left out, not multiplied by zero.
            if (weights[i] > 0)
            {
                rows.Add(i);
                shares.Add((float)(weights[i] / total));
            }
        }

        Rows.WeightedSum(inputs, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shares), 1f, destination);
    }
}
