namespace ByzantineSim.Aggregators;

/// <summary>
/// A rule registered under a name of its own that behaves as another: every property of
/// <see cref="IAggregator"/> (f, the requirement, the trusted input, identities, detection, the
/// server update, weights) is the inner rule's, and so is <see cref="Aggregate"/> unless a subclass
/// overrides it, for instance to record what the inner rule does before returning its result.
/// Forwarding every member in one place keeps a probe around FLTrust or FoolsGold from silently
/// losing the server update or the client identities the inner rule needs.
/// </summary>
/// <typeparam name="TRule">The inner rule's type (<see cref="IAggregator"/> for any rule), so a subclass reads its options.</typeparam>
/// <param name="inner">The rule whose behaviour this one has.</param>
/// <param name="name">The registry name this rule is selected by.</param>
public abstract class AggregatorDecorator<TRule>(TRule inner, string name) : IAggregator
    where TRule : IAggregator
{
    /// <summary>The rule this one forwards to.</summary>
    protected TRule Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public int F => Inner.F;

    /// <inheritdoc />
    public string Requirement => Inner.Requirement;

    /// <inheritdoc />
    public int? TrustedInput => Inner.TrustedInput;

    /// <inheritdoc />
    public bool NeedsIdentities => Inner.NeedsIdentities;

    /// <inheritdoc />
    public bool Detects => Inner.Detects;

    /// <inheritdoc />
    public bool NeedsServerUpdate => Inner.NeedsServerUpdate;

    /// <inheritdoc />
    public bool SupportsWeights => Inner.SupportsWeights;

    /// <inheritdoc />
    public bool Accepts(int n) => Inner.Accepts(n);

    /// <inheritdoc />
    public virtual AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context) =>
        Inner.Aggregate(inputs, destination, context);
}
