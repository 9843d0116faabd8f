namespace ByzantineSim.Attacks.SignFlip;

/// <summary>
/// Sign flipping: every Byzantine client sends -mean(honest updates) (Allen-Zhu, Ebrahimian, Li,
/// Alistarh, ICLR 2021; ByzFL's SignFlipping). Omniscient. The mean rule then moves by
/// (n - 2f)/n of the honest mean, so f close to n/2 stalls it.
/// </summary>
public sealed class SignFlipAttack : IAttack
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "sign-flip";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public AttackKnowledge Requires => AttackKnowledge.HonestUpdates;

    /// <inheritdoc />
    public bool SendsOneVector => true;

    /// <inheritdoc />
    public AttackState? Craft(in AttackContext context, Span<float> output)
    {
        context.Require(Requires, Name);
        AttackKernels.ScaledMean(context.HonestUpdates, -1f, output[..context.Dimension]);
        AttackKernels.BroadcastFirstRow(output, context.Dimension);
        return null;
    }
}
