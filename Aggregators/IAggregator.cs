namespace ByzantineSim.Aggregators;

/// <summary>
/// A (robust) aggregation rule: n input vectors in, one vector out. Implementations are thin
/// sealed wrappers around a static kernel; they hold only validated options and never modify
/// their inputs. State that must survive between rounds (e.g. centered clipping's centre) is
/// passed in through <see cref="AggregationContext.State"/> and returned, never kept inside.
/// </summary>
public interface IAggregator
{
    /// <summary>The name this aggregator is registered under, which a spec's YAML uses to select it.</summary>
    string Name { get; }

    /// <summary>The number of Byzantine inputs the rule is configured to tolerate.</summary>
    int F { get; }

    /// <summary>The condition on the number of inputs n, e.g. "n > 2f + 2".</summary>
    string Requirement { get; }

    /// <summary>True when the rule can aggregate <paramref name="n"/> inputs under <see cref="Requirement"/>.</summary>
    bool Accepts(int n);

    /// <summary>The position of an input the rule trusts to be honest (MoNNA's), or null when it trusts none.</summary>
    int? TrustedInput => null;

    /// <summary>
    /// True when the rule needs to know which client sent each row (<see cref="AggregationContext.Clients"/>),
    /// e.g. to keep a history per client; such a rule cannot follow a step that merges rows.
    /// </summary>
    bool NeedsIdentities => false;

    /// <summary>
    /// True when the rule reports a verdict on the rows it distrusts through
    /// <see cref="AggregationContext.Verdicts"/> (a detector): its silence on a row then means
    /// "trusted", which the run's records count against the ground truth.
    /// </summary>
    bool Detects => false;

    /// <summary>
    /// True when the rule compares the rows with the server's own update
    /// (<see cref="AggregationContext.ServerUpdate"/>, computed on the run's <c>server_data</c>), e.g. FLTrust.
    /// </summary>
    bool NeedsServerUpdate => false;

    /// <summary>
    /// True when the rule has a weighted form and uses <see cref="AggregationContext.Weights"/>
    /// when they are given (sample-size-weighted FedAvg: the mean weights each row by its
    /// client's sample count). A rule without one must not be run with weights.
    /// </summary>
    bool SupportsWeights => false;

    /// <summary>
    /// Writes the aggregate of the rows of <paramref name="inputs"/> into <paramref name="destination"/>
    /// and returns the rule's state for the next round (null for stateless rules).
    /// </summary>
    /// <exception cref="AggregationException">The inputs violate <see cref="Requirement"/>.</exception>
    AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context);
}

/// <summary>Round-specific inputs of an aggregation: the round, its random seed, and the rule's previous state.</summary>
/// <param name="Round">Zero-based round number.</param>
/// <param name="Seed">Seed for randomized rules (derived from the run's seed and the round).</param>
/// <param name="State">What the rule returned last round, or null at the start.</param>
public readonly record struct AggregationContext(int Round, ulong Seed, AggregatorState? State)
{
    /// <summary>A context for stateless, deterministic use (tests, benchmarks, attack searches).</summary>
    public static AggregationContext Stateless => new(0, 0, null);

    /// <summary>
    /// The id of the client behind each input row, in row order, or empty when the rows are
    /// anonymous (tests, benchmarks, or after a step that merges rows). Never says which are Byzantine.
    /// </summary>
    public ReadOnlyMemory<int> Clients { get; init; }

    /// <summary>Where a rule that detects clients records its verdict on each row, or null when nobody listens.</summary>
    public RowVerdicts? Verdicts { get; init; }

    /// <summary>
    /// The server's own update of the round, computed like a client's on the run's server-side
    /// data set (FLTrust's root data), or empty when the run has none.
    /// </summary>
    public ReadOnlyMemory<float> ServerUpdate { get; init; }

    /// <summary>
    /// A non-negative weight per input row (the number of training samples of the client behind
    /// it, for sample-size-weighted FedAvg), or empty for the unweighted rule. Only rules with
    /// <see cref="IAggregator.SupportsWeights"/> are given weights.
    /// </summary>
    public ReadOnlyMemory<double> Weights { get; init; }

    /// <summary>
    /// The Euclidean norm of every input row (<see cref="Rows.Norm"/>'s value), when whoever
    /// assembled the rows had them measured already (the server: each update's producer measures it
    /// while the values are in cache); empty otherwise. Rules that rank rows by norm (CGE, ARC,
    /// clipping) read them instead of a pass over the matrix of their own; the pipeline drops them
    /// after a pre-aggregator that rewrites the rows.
    /// </summary>
    public ReadOnlyMemory<double> RowNorms { get; init; }

    /// <summary>
    /// Each input row's measure against the rule's state (<see cref="IMeasuresRowsOnArrival"/>),
    /// taken by the server as each update arrived, in row order; empty otherwise. Only the rule
    /// whose <see cref="IMeasuresRowsOnArrival.ArrivalMeasure"/> gave the measure, for the
    /// <see cref="State"/> it is given now, is handed them; the pipeline drops them after a
    /// pre-aggregator.
    /// </summary>
    public ReadOnlyMemory<double> ArrivalMeasures { get; init; }

    /// <summary>
    /// Where a stateful rule takes the model-sized arrays of the state it returns (the run's pool),
    /// or null to allocate them. The state's owner gives them back with
    /// <see cref="AggregatorState.Retire"/> once the state is replaced.
    /// </summary>
    public PayloadPool? StatePool { get; init; }

    /// <summary>
    /// The client behind each of <paramref name="rows"/> rows: <see cref="Clients"/>, or the row
    /// positions 0 .. rows - 1 when the rows are anonymous (tests, benchmarks, an attacker's
    /// simulation of the rule), so that an identity-aware rule still runs there, keyed by position.
    /// </summary>
    /// <exception cref="AggregationException"><see cref="Clients"/> names a different number of rows.</exception>
    public int[] ClientsOf(int rows)
    {
        if (Clients.IsEmpty)
        {
            return [.. Enumerable.Range(0, rows)];
        }

        return Clients.Length == rows
            ? Clients.ToArray()
            : throw new AggregationException($"the context names {Clients.Length} clients for {rows} rows");
    }
}

/// <summary>What a detecting rule concluded about a row.</summary>
public enum Verdict
{
    /// <summary>Flagged as malicious (Byzantine) and excluded or down-weighted.</summary>
    Malicious,

    /// <summary>Flagged as benign but unreliable (low-quality data), as MUD-HoG distinguishes.</summary>
    Unreliable,
}

/// <summary>
/// The rows a detecting rule flagged in one aggregation, by input position. The caller maps
/// positions to client ids; the rule never learns the ground truth.
/// </summary>
public sealed class RowVerdicts
{
    private readonly List<(int Row, Verdict Verdict)> _flags = [];

    /// <summary>The flags recorded so far, in the order recorded.</summary>
    public IReadOnlyList<(int Row, Verdict Verdict)> Flags => _flags;

    /// <summary>Records that <paramref name="row"/> was flagged.</summary>
    public void Flag(int row, Verdict verdict = Verdict.Malicious) => _flags.Add((row, verdict));

    /// <summary>Forgets every flag, so one instance serves round after round.</summary>
    public void Clear() => _flags.Clear();
}

/// <summary>Base of every aggregator's immutable per-run state.</summary>
public abstract record AggregatorState
{
    /// <summary>
    /// Called once by the state's owner when a newer state has replaced it and nothing will read
    /// it again: a state over arrays from <see cref="AggregationContext.StatePool"/> gives back
    /// those no newer state holds (all of them for centered clipping; for the per-client
    /// histories of FoolsGold and MUD-HoG, the ones it superseded in its predecessor, a round late),
    /// and reading a given-back array throws. Does nothing for a state that owns no pooled memory.
    /// </summary>
    public virtual void Retire()
    {
    }

    /// <summary>
    /// For the owner of a rule's state: returns <paramref name="next"/>, the state the rule returned,
    /// after retiring <paramref name="current"/> unless the rule handed it back unchanged.
    /// </summary>
    public static AggregatorState? Replace(AggregatorState? current, AggregatorState? next)
    {
        if (!ReferenceEquals(current, next))
        {
            current?.Retire();
        }

        return next;
    }
}

/// <summary>Thrown when an aggregation cannot be carried out (too few inputs for the rule's condition).</summary>
public sealed class AggregationException(string message) : Exception(message)
{
    /// <summary>
    /// Throws unless <paramref name="rule"/> accepts <paramref name="n"/> inputs; the message names
    /// the rule, n, its requirement and f. Every rule's first check, written once.
    /// </summary>
    /// <exception cref="AggregationException"><paramref name="rule"/> does not accept <paramref name="n"/> inputs.</exception>
    public static void ThrowUnlessAccepted(IAggregator rule, int n)
    {
        if (!rule.Accepts(n))
        {
            throw new AggregationException($"{rule.Name} cannot aggregate {n} inputs: requires {rule.Requirement} (f = {rule.F})");
        }
    }
}

/// <summary>One number measured from one update row, e.g. its squared distance to a point.</summary>
/// <param name="row">The row, read only.</param>
public delegate double RowMeasure(ReadOnlySpan<float> row);

/// <summary>
/// A rule whose first pass over the rows measures each one against its own state (centered
/// clipping: the squared distance to the previous aggregate). The server can then take that
/// measure as each update arrives, while other clients still compute, and hand the measures over
/// in <see cref="AggregationContext.ArrivalMeasures"/>, so that the rule's pass at aggregation,
/// when the clients wait, is not needed.
/// </summary>
public interface IMeasuresRowsOnArrival
{
    /// <summary>
    /// The measure of one row against <paramref name="state"/> (the state the rule will be given
    /// when the round closes), or null when this state gives none (the rule then measures in its
    /// own pass). The measure must give the rule's own bits.
    /// </summary>
    RowMeasure? ArrivalMeasure(AggregatorState? state, int dimension);
}
