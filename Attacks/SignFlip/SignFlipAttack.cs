namespace ByzantineSim.Attacks.SignFlip;

/// <summary>
/// Sign flipping: every Byzantine client sends -mean(honest updates) (Allen-Zhu, Ebrahimian, Li,
/// Alistarh, ICLR 2021; ByzFL's SignFlipping). Omniscient. The mean rule then moves by
/// (n - 2f)/n of the honest mean, so f close to n/2 stalls it.
/// </summary>
public sealed class SignFlipAttack() : Attack(RegistryName, AttackKnowledge.HonestUpdates, sendsOneVector: true)
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "sign-flip";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        AttackKernels.ScaledMean(context.HonestUpdates, -1f, output[..context.Dimension]);
        return null;
    }
}
