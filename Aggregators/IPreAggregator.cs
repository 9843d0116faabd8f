namespace ByzantineSim.Aggregators;

/// <summary>
/// A pre-aggregation step (NNM, bucketing, clipping, ...): n vectors in, <see cref="OutputRows"/>
/// vectors out, applied in order before the aggregator. It never modifies its input.
/// </summary>
public interface IPreAggregator
{
    /// <summary>The name this pre-aggregator is registered under, which a spec's YAML uses to select it.</summary>
    string Name { get; }

    /// <summary>The condition on the number of inputs n, e.g. "n > 2f".</summary>
    string Requirement { get; }

    /// <summary>True when the step can transform <paramref name="n"/> inputs under <see cref="Requirement"/>.</summary>
    bool Accepts(int n);

    /// <summary>How many rows come out for <paramref name="n"/> rows in.</summary>
    int OutputRows(int n);

    /// <summary>
    /// True when output row i stands for input row i (clipping, ARC, NNM); false when the step
    /// reorders or merges rows (bucketing), so a rule that trusts an input by its position
    /// (MoNNA) cannot follow it.
    /// </summary>
    bool KeepsPositions => true;

    /// <summary>Writes the transformed rows into <paramref name="output"/> (OutputRows(n) x d, row-major).</summary>
    void Apply(RowMatrix inputs, Span<float> output, in AggregationContext context);
}

/// <summary>
/// A pre-aggregation step that maps each row on its own (clipping is one; NNM and bucketing are
/// not): output row i depends on input row i only. Declaring it lets an omniscient attacker's
/// search transform the fixed honest rows once and re-run only its own rows (see the optimal
/// attacks), instead of the whole pipeline per candidate.
/// </summary>
public interface IRowwisePreAggregator : IPreAggregator
{
    /// <summary>Writes the transform of one <paramref name="row"/> into <paramref name="output"/> (same length); reads nothing else.</summary>
    void ApplyRow(ReadOnlySpan<float> row, Span<float> output, in AggregationContext context);
}
