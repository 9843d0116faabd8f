using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators;

/// <summary>
/// The shared shell of the rules that keep a history per client and report verdicts
/// (FoolsGold, MUD-HoG): identity-aware, detecting, no condition on n and f beyond n >= 1, and
/// a final weighted mean of the rows they keep (<see cref="Rows.WeightedMeanInDouble"/>). A subclass supplies only its name and the round
/// itself (<see cref="AggregateRound"/>).
/// </summary>
/// <typeparam name="TOptions">The rule's validated options.</typeparam>
/// <param name="f">The number of Byzantine inputs the rule is configured for.</param>
/// <param name="options">The validated options.</param>
public abstract class ClientHistoryAggregator<TOptions>(int f, TOptions options) : IAggregator
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public TOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n >= 1";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= 1;

    /// <inheritdoc />
    public bool NeedsIdentities => true;

    /// <inheritdoc />
    public bool Detects => true;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        AggregationException.ThrowUnlessAccepted(this, inputs.Rows);
        VectorMath.CheckDestination(inputs, destination);
        return AggregateRound(inputs, destination, context.ClientsOf(inputs.Rows), context);
    }

    /// <summary>
    /// One round of the rule on checked inputs: <paramref name="clients"/> names the client behind
    /// each row (row positions when the rows are anonymous).
    /// </summary>
    protected abstract AggregatorState AggregateRound(RowMatrix inputs, Span<float> destination, int[] clients, in AggregationContext context);
}
