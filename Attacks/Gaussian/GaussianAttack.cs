namespace ByzantineSim.Attacks.Gaussian;

/// <summary>
/// Gaussian noise: each Byzantine client sends a vector of i.i.d. N(mean, sigma^2) coordinates,
/// drawn from its own stream of the attack seed. Needs no knowledge of the honest updates.
/// </summary>
public sealed class GaussianAttack(GaussianOptions options) : Attack<GaussianOptions>(RegistryName, options, AttackKnowledge.None)
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "gaussian";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        int d = context.Dimension;
        for (int k = 0; k < context.ByzantineCount; k++)
        {
            var row = output.Slice(k * d, d);
            if (Options.Same && k > 0)
            {
                output[..d].CopyTo(row);
                continue;
            }

            var random = new DeterministicRandom(Seed.Derive(context.Seed, "gaussian", k));
            for (int j = 0; j < d; j++)
            {
                row[j] = (float)(Options.Mean + (Options.Sigma * random.NextGaussian()));
            }
        }

        return null;
    }
}
