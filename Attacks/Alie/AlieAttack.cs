namespace ByzantineSim.Attacks.Alie;

/// <summary>
/// A little is enough (Baruch, Baruch, Goldberg, NeurIPS 2019, arXiv 1902.06156): every
/// Byzantine client sends mean - z * std of the honest updates, per coordinate (sample std,
/// ddof = 1). The shift stays inside the honest spread, so distance- and rank-based rules do not
/// single it out. z comes from the paper's formula, EPFL-ML's variant, a fixed value, or ByzFL's
/// form mean + tau * std (see <see cref="AlieOptions"/>). One read of the honest matrix.
/// </summary>
public sealed class AlieAttack(AlieOptions options, AttackPopulation population)
    : Attack<AlieOptions>(RegistryName, options, AttackKnowledge.HonestUpdates, sendsOneVector: true)
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "alie";

    /// <summary>The factor c of mean + c * std for the configured population.</summary>
    public double Factor { get; } = options.Factor(population.TotalClients, population.ByzantineCount);

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        AttackKernels.MeanPlusScaledStd(context.HonestUpdates, (float)Factor, output[..context.Dimension]);
        return null;
    }
}
