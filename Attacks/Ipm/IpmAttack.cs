namespace ByzantineSim.Attacks.Ipm;

/// <summary>
/// Inner product manipulation (Xie, Koyejo, Gupta, UAI 2020, arXiv 1903.03936): every Byzantine
/// client sends -eps * mean(honest). A small eps keeps the vector close to the honest ones, so
/// distance-based rules accept it, while it makes the inner product of the aggregate with the
/// true gradient negative once eps * f outweighs n - f. ByzFL's InnerProductManipulation(tau)
/// is the same vector with eps = tau (its unit test: tau = 2 gives [-8, -10, -12] on the rows
/// [1,2,3], [4,5,6], [7,8,9]); EPFL-ML uses eps = 0.1, our default.
/// </summary>
public sealed class IpmAttack(IpmOptions options) : Attack<IpmOptions>(RegistryName, options, AttackKnowledge.HonestUpdates, sendsOneVector: true)
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "ipm";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        AttackKernels.ScaledMean(context.HonestUpdates, (float)-Options.Epsilon, output[..context.Dimension]);
        return null;
    }
}
