namespace ByzantineSim.Attacks;

/// <summary>
/// What the built-in attacks share: a name, the knowledge the attack needs and whether all
/// Byzantine clients send one vector are fixed when it is made; <see cref="Craft"/> checks that
/// the context carries that knowledge (a clear error instead of reading an empty matrix), lets
/// <see cref="CraftRows"/> write the rows, and for a one-vector attack copies row 0 into the others.
/// Its members are those of <see cref="IAttack"/>, the defaults virtual, so a derived attack
/// overrides what it changes. User attacks may implement <see cref="IAttack"/> directly.
/// </summary>
/// <param name="name">The registry name, <see cref="Name"/>.</param>
/// <param name="requires">What the attack reads from the context, <see cref="Requires"/>.</param>
/// <param name="sendsOneVector">Whether every Byzantine client sends the same vector, <see cref="SendsOneVector"/>.</param>
public abstract class Attack(string name, AttackKnowledge requires, bool sendsOneVector = false) : IAttack
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public AttackKnowledge Requires { get; } = requires;

    /// <inheritdoc />
    public bool SendsOneVector { get; } = sendsOneVector;

    /// <inheritdoc />
    public virtual AttackDelivery Delivery => AttackDelivery.Normal;

    /// <inheritdoc />
    public virtual Poisoning.DataPoisoning? Poisoning => null;

    /// <inheritdoc />
    public virtual Poisoning.DataPoisoning? Goal => null;

    /// <inheritdoc />
    public virtual Poisoning.DataPoisoning? PoisoningOf(int index) => Poisoning;

    /// <inheritdoc />
    public AttackState? Craft(in AttackContext context, Span<float> output)
    {
        context.Require(Requires, Name);
        var state = CraftRows(context, output);
        if (SendsOneVector)
        {
            AttackKernels.BroadcastFirstRow(output, context.Dimension);
        }

        return state;
    }

    /// <summary>
    /// Writes the Byzantine rows into <paramref name="output"/> (row 0 only when
    /// <see cref="SendsOneVector"/>) once the context is known to carry <see cref="Requires"/>;
    /// returns the state to keep for the next round, or null.
    /// </summary>
    protected abstract AttackState? CraftRows(in AttackContext context, Span<float> output);
}

/// <summary>An <see cref="Attack"/> configured by options bound from a spec's parameters.</summary>
/// <typeparam name="TOptions">The attack's options record.</typeparam>
/// <param name="name">The registry name.</param>
/// <param name="options">The validated options, <see cref="Options"/>.</param>
/// <param name="requires">What the attack reads from the context.</param>
/// <param name="sendsOneVector">Whether every Byzantine client sends the same vector.</param>
public abstract class Attack<TOptions>(string name, TOptions options, AttackKnowledge requires, bool sendsOneVector = false)
    : Attack(name, requires, sendsOneVector)
{
    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public TOptions Options { get; } = options;
}
