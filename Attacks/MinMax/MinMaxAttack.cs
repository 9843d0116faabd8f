namespace ByzantineSim.Attacks.MinMax;

/// <summary>
/// Min-max and min-sum (Shejwalkar, Houmansadr, "Manipulating the Byzantine: Optimizing Model
/// Poisoning Attacks and Defenses for Federated Learning", NDSS 2021): every Byzantine client
/// sends mu - lambda * Delta, with lambda as large as bisection allows while the malicious
/// vector's largest (min-max) or summed (min-sum) squared distance to the honest updates stays
/// within what the honest updates show among themselves (see <see cref="MinMax"/>). Aggregator
/// agnostic: it needs the honest updates, not the rule.
/// </summary>
public sealed class MinMaxAttack(MinMaxOptions options, bool sum)
    : Attack<MinMaxOptions>(sum ? MinSumName : MinMaxName, options, AttackKnowledge.HonestUpdates, sendsOneVector: true)
{
    /// <summary>Registry name of the max-distance variant.</summary>
    public const string MinMaxName = "min-max";

    /// <summary>Registry name of the sum-of-distances variant.</summary>
    public const string MinSumName = "min-sum";

    /// <summary>True for min-sum.</summary>
    public bool Sum { get; } = sum;

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        MinMax.Craft(context.HonestUpdates, Options, Sum, output[..context.Dimension]);
        return null;
    }
}
