using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.CenteredClipping;

/// <summary>
/// Centered clipping (Karimireddy, He, Jaggi, ICML 2021, arXiv 2012.10333), stateful: the centre
/// of round t is the aggregate of round t - 1 (zero at the start), carried in
/// <see cref="CenteredClippingState"/>. Requires n > 2f. The first iteration's distances, to that
/// centre, can be measured as the updates arrive (<see cref="IMeasuresRowsOnArrival"/>).
/// </summary>
public sealed class CenteredClippingAggregator(int f, CenteredClippingOptions options) : IAggregator, IMeasuresRowsOnArrival
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "centered-clipping";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public CenteredClippingOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * F;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        var center = context.State is CenteredClippingState { Center.Length: var length } state && length == inputs.Columns
            ? state.Center.Span
            : [];
        var measured = center.IsEmpty ? [] : context.ArrivalMeasures.Span;
        CenteredClipping.Aggregate(inputs, center, Options.Tau, Options.Iterations, destination, measured);
        return new CenteredClippingState(Filtering.Copy(destination, context.StatePool));
    }

    /// <summary>Each row's squared distance to the state's centre: the first iteration's distances. None without a centre.</summary>
    public RowMeasure? ArrivalMeasure(AggregatorState? state, int dimension) =>
        state is CenteredClippingState { Center: var centre } && centre.Length == dimension
            ? row => CenteredClipping.SquaredDistance(row, centre.Span)
            : null;
}

/// <summary>Centered clipping's state: the previous round's aggregate.</summary>
/// <param name="Center">Where the next round's clipping starts.</param>
public sealed record CenteredClippingState(VectorPayload Center) : AggregatorState
{
    /// <inheritdoc />
    public override void Retire() => Center.Release();
}
