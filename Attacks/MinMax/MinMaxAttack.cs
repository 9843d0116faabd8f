namespace ByzantineSim.Attacks.MinMax;

/// <summary>
/// Min-max and min-sum (Shejwalkar, Houmansadr, "Manipulating the Byzantine: Optimizing Model
/// Poisoning Attacks and Defenses for Federated Learning", NDSS 2021): every Byzantine client
/// sends mu - lambda * Delta, with lambda as large as bisection allows while the malicious
/// vector's largest (min-max) or summed (min-sum) squared distance to the honest updates stays
/// within what the honest updates show among themselves (see <see cref="MinMax"/>). Aggregator
/// agnostic: it needs the honest updates, not the rule.
/// </summary>
public sealed class MinMaxAttack(MinMaxOptions options, bool sum) : IAttack
{
    /// <summary>Registry name of the max-distance variant.</summary>
    public const string MinMaxName = "min-max";

    /// <summary>Registry name of the sum-of-distances variant.</summary>
    public const string MinSumName = "min-sum";

    /// <inheritdoc />
    public string Name => Sum ? MinSumName : MinMaxName;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public MinMaxOptions Options { get; } = options;

    /// <summary>True for min-sum.</summary>
    public bool Sum { get; } = sum;

    /// <inheritdoc />
    public AttackKnowledge Requires => AttackKnowledge.HonestUpdates;

    /// <inheritdoc />
    public bool SendsOneVector => true;

    /// <inheritdoc />
    public AttackState? Craft(in AttackContext context, Span<float> output)
    {
        context.Require(Requires, Name);
        MinMax.Craft(context.HonestUpdates, Options, Sum, output[..context.Dimension]);
        AttackKernels.BroadcastFirstRow(output, context.Dimension);
        return null;
    }
}
