namespace ByzantineSim.Attacks.Malformed;

/// <summary>
/// Attacks that test the server rather than the rule: every coordinate NaN or +Infinity, vectors
/// of the wrong length, or no reply at all. A correct server survives all of them.
/// </summary>
public sealed class MalformedAttack : Attack
{
    /// <summary>Registry name of the all-NaN attack.</summary>
    public const string NanName = "nan";

    /// <summary>Registry name of the all-+Infinity attack.</summary>
    public const string InfName = "inf";

    /// <summary>Registry name of the wrong-length attack.</summary>
    public const string WrongLengthName = "wrong-length";

    /// <summary>Registry name of the silent attack.</summary>
    public const string SilentName = "silent";

    private readonly float _value;

    private MalformedAttack(string name, float value, AttackDelivery delivery)
        : base(name, AttackKnowledge.None)
    {
        _value = value;
        Delivery = delivery;
    }

    /// <summary>Every coordinate NaN.</summary>
    public static MalformedAttack Nan { get; } = new(NanName, float.NaN, AttackDelivery.Normal);

    /// <summary>Every coordinate +Infinity.</summary>
    public static MalformedAttack Inf { get; } = new(InfName, float.PositiveInfinity, AttackDelivery.Normal);

    /// <summary>Zero vectors one coordinate short.</summary>
    public static MalformedAttack WrongLength { get; } = new(WrongLengthName, 0f, AttackDelivery.WrongLength);

    /// <summary>No reply at all.</summary>
    public static MalformedAttack Silent { get; } = new(SilentName, 0f, AttackDelivery.Silent);

    /// <inheritdoc />
    public override AttackDelivery Delivery { get; }

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        output.Fill(_value);
        return null;
    }
}
