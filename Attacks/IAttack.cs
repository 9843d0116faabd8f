using ByzantineSim.Aggregators;

namespace ByzantineSim.Attacks;

/// <summary>
/// A Byzantine behaviour: what the coalition's f clients send in a round. Like aggregators,
/// attacks are thin sealed wrappers around pure kernels over float spans; randomness comes in
/// through <see cref="AttackContext.Seed"/>, and state that must survive between rounds (mimic's
/// direction estimate) comes in through <see cref="AttackContext.State"/> and goes out as the
/// return value of <see cref="Craft"/>: the coalition, which owns the run's adversary, keeps it.
/// </summary>
public interface IAttack
{
    /// <summary>The name this attack is registered under, which a spec's YAML uses to select it.</summary>
    string Name { get; }

    /// <summary>What the attack must know; checked against the run's threat model at validation.</summary>
    AttackKnowledge Requires { get; }

    /// <summary>How the crafted vectors are delivered (normally as they are).</summary>
    AttackDelivery Delivery => AttackDelivery.Normal;

    /// <summary>
    /// For data-poisoning attacks, what Byzantine clients do to their training data (label map,
    /// backdoor trigger), null otherwise. Their honestly-computed gradients on the poisoned data
    /// arrive in <see cref="AttackContext.OwnGradients"/>.
    /// </summary>
    Poisoning.DataPoisoning? Poisoning => null;

    /// <summary>
    /// The poisoning of the <paramref name="index"/>-th Byzantine identity (0-based, in id order
    /// among all of them): <see cref="Poisoning"/> unless identities differ, as DBA's local
    /// triggers do.
    /// </summary>
    Poisoning.DataPoisoning? PoisoningOf(int index) => Poisoning;

    /// <summary>
    /// For targeted and backdoor attacks, what success means: every evaluation also measures
    /// the share of test samples, transformed by this poisoning (global trigger stamped, or source
    /// class kept) and whose true label it changes, that the model classifies as the poisoned
    /// label (the attack success rate). Null for untargeted attacks.
    /// </summary>
    Poisoning.DataPoisoning? Goal => null;

    /// <summary>
    /// True when every Byzantine client sends the same vector, which <see cref="Craft"/> writes as
    /// the first row (and copies to the others only when <c>output</c> has them). The coalition
    /// then passes one row and sends one shared payload, instead of f copies it would compare.
    /// </summary>
    bool SendsOneVector => false;

    /// <summary>
    /// Writes one vector per Byzantine client into <paramref name="output"/>
    /// (f x d, row-major, row k for the k-th Byzantine client by id) and returns the attack's
    /// state for the next round (null for stateless attacks). Never writes to the context's spans.
    /// </summary>
    AttackState? Craft(in AttackContext context, Span<float> output);
}

/// <summary>Base of every attack's immutable per-run state (passed in and returned, never kept inside the attack).</summary>
public abstract record AttackState;

/// <summary>Knowledge an attack needs from the threat model.</summary>
[Flags]
public enum AttackKnowledge
{
    /// <summary>Nothing beyond theta_t and its own data.</summary>
    None = 0,

    /// <summary>Every honest update of the round (omniscient threat model).</summary>
    HonestUpdates = 1,

    /// <summary>The server's aggregation pipeline.</summary>
    Aggregator = 2,

    /// <summary>Each Byzantine client's own (possibly poisoned) honest gradient.</summary>
    OwnGradients = 4,
}

/// <summary>How Byzantine vectors reach the server; the malformed modes test the server's defences.</summary>
public enum AttackDelivery
{
    /// <summary>The crafted vectors, as they are.</summary>
    Normal,

    /// <summary>Nothing is sent at all.</summary>
    Silent,

    /// <summary>Vectors of the wrong length (one coordinate short).</summary>
    WrongLength,
}

/// <summary>
/// What an attack sees in a round. Spans that the threat model withholds are empty.
/// </summary>
public readonly ref struct AttackContext
{
    /// <summary>Zero-based round number.</summary>
    public required int Round { get; init; }

    /// <summary>Seed of this round's attack stream.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Total number of clients n (honest plus Byzantine).</summary>
    public required int TotalClients { get; init; }

    /// <summary>Number of Byzantine clients f (rows to craft).</summary>
    public required int ByzantineCount { get; init; }

    /// <summary>Model dimension d.</summary>
    public required int Dimension { get; init; }

    /// <summary>The global parameters theta_t.</summary>
    public ReadOnlySpan<float> Parameters { get; init; }

    /// <summary>Honest updates of this round, ordered by client id (omniscient only).</summary>
    public RowMatrix HonestUpdates { get; init; }

    /// <summary>
    /// Client id of each row of <see cref="HonestUpdates"/> (empty: rows are clients 0, 1, ...).
    /// Stateful attacks that follow one client across rounds (mimic) need it when some honest
    /// clients are missing from a round.
    /// </summary>
    public ReadOnlySpan<int> HonestIds { get; init; }

    /// <summary>Each Byzantine client's own gradient, ordered by client id (when requested).</summary>
    public RowMatrix OwnGradients { get; init; }

    /// <summary>The coalition's own copy of the server's pipeline (when the attack knows the aggregator).</summary>
    public AggregationPipeline? Aggregator { get; init; }

    /// <summary>What <see cref="IAttack.Craft"/> returned in the previous round (null in the first).</summary>
    public AttackState? State { get; init; }

    /// <summary>
    /// Peer-to-peer runs: the weight the targeted peer gives each row of <see cref="HonestUpdates"/>
    /// when it mixes (its Metropolis-Hastings weights), or empty for equal weights (a server, or a
    /// peer that applies an aggregator). The rows are then its honest neighbours' models minus its own.
    /// </summary>
    public ReadOnlySpan<float> HonestWeights { get; init; }

    /// <summary>Peer-to-peer runs: the summed weight the targeted peer gives its Byzantine neighbours (0: equal weights, one per row to craft).</summary>
    public double ByzantineWeight { get; init; }

    /// <summary>The client id of honest row <paramref name="row"/>.</summary>
    public int HonestId(int row) => HonestIds.IsEmpty ? row : HonestIds[row];

    /// <summary>Throws a clear error when the threat model did not supply what the attack needs.</summary>
    public void Require(AttackKnowledge knowledge, string attack)
    {
        if (knowledge.HasFlag(AttackKnowledge.HonestUpdates) && HonestUpdates.Rows == 0)
        {
            throw new InvalidOperationException($"{attack} needs the honest updates of the round (omniscient threat model)");
        }

        if (knowledge.HasFlag(AttackKnowledge.OwnGradients) && OwnGradients.Rows != ByzantineCount)
        {
            throw new InvalidOperationException($"{attack} needs each Byzantine client's own gradient");
        }

        if (knowledge.HasFlag(AttackKnowledge.Aggregator) && Aggregator is null)
        {
            throw new InvalidOperationException($"{attack} needs to know the server's aggregator");
        }
    }
}

/// <summary>A label map for data poisoning: poisoned label = <c>Map[label]</c>.</summary>
/// <param name="Map">
/// The poisoned label of each class, in 0 .. classes - 1: a permutation for untargeted flipping,
/// or the identity except on source classes for targeted flipping.
/// </param>
public sealed record LabelMap(ImmutableArray<int> Map)
{
    /// <summary>Number of classes the map covers.</summary>
    public int Classes => Map.Length;

    /// <summary>Label flipping y -> classes - 1 - y.</summary>
    public static LabelMap Flip(int classes) => new([.. Enumerable.Range(0, classes).Select(y => classes - 1 - y)]);

    /// <summary>
    /// The identity on <paramref name="classes"/> labels except <paramref name="pairs"/>
    /// (source, target): targeted label flipping.
    /// </summary>
    public static LabelMap Targeted(int classes, IEnumerable<(int Source, int Target)> pairs)
    {
        var map = Enumerable.Range(0, classes).ToArray();
        foreach (var (source, target) in pairs)
        {
            map[source] = target;
        }

        return new LabelMap([.. map]);
    }

    /// <summary>True when <paramref name="map"/> holds every label 0 .. length - 1 exactly once.</summary>
    public static bool IsPermutation(ImmutableArray<int> map)
    {
        var seen = new bool[map.Length];
        foreach (int label in map)
        {
            if (label < 0 || label >= map.Length || seen[label])
            {
                return false;
            }

            seen[label] = true;
        }

        return true;
    }

    /// <inheritdoc />
    public bool Equals(LabelMap? other) => other is not null && Map.SequenceEqual(other.Map);

    /// <inheritdoc />
    public override int GetHashCode() => Map.Aggregate(Map.Length, HashCode.Combine);
}
