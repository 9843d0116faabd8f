namespace ByzantineSim.Attacks.Fang;

/// <summary>
/// Fang et al.'s attack on trimmed mean, also used against median (USENIX Security 2020,
/// arXiv 1911.11815, section 4.2), in update space: per coordinate j, s_j is the sign of the
/// honest mean update, and every Byzantine client draws its value beyond the honest extreme
/// on the far side of s_j (a directed deviation). Full knowledge, with w_max, w_min the honest
/// extremes and b &gt; 1: for s_j &gt; 0 a value in [w_min / b, w_min] when w_min &gt; 0, else in
/// [b w_min, w_min]; otherwise in [w_max, b w_max] when w_max &gt; 0, else in [w_max, w_max / b].
/// Partial knowledge, with mu and sigma the mean and sample std of the Byzantine clients' own
/// benign updates (and s from their mean): [mu - 4 sigma, mu - 3 sigma] for s_j &gt; 0, else
/// [mu + 3 sigma, mu + 4 sigma]. (The paper states it on models, whose change has the opposite
/// sign of the update.) Draws are uniform, from the round's attack seed, client by client.
/// </summary>
public sealed class FangTrimAttack(FangOptions options) : Attack<FangOptions>(RegistryName, options, options.BenignKnowledge)
{
    /// <summary>Registry name.</summary>
    public const string RegistryName = "fang-trim";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        int d = context.Dimension, f = context.ByzantineCount;
        int rows = output.Length / d;
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(4 * d);
        try
        {
            var low = rented.AsSpan(0, d);
            var high = rented.AsSpan(d, d);
            Interval(context, low, high, rented.AsSpan(2 * d, d), rented.AsSpan(3 * d, d));
            var random = new DeterministicRandom(Seed.Derive(context.Seed, RegistryName));
            for (int k = 0; k < Math.Min(rows, f); k++)
            {
                var row = output.Slice(k * d, d);
                for (int j = 0; j < d; j++)
                {
                    row[j] = low[j] + ((high[j] - low[j]) * random.NextSingle());
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }

        return null;
    }

    /// <summary>Each coordinate's interval [low, high] of the draws; <paramref name="mean"/> and <paramref name="std"/> are scratch.</summary>
    private void Interval(in AttackContext context, Span<float> low, Span<float> high, Span<float> mean, Span<float> std)
    {
        int d = context.Dimension;
        if (Options.Partial)
        {
            AttackKernels.MeanAndStd(context.OwnGradients, mean, std);
            for (int j = 0; j < d; j++)
            {
                (low[j], high[j]) = mean[j] > 0
                    ? (mean[j] - (4 * std[j]), mean[j] - (3 * std[j]))
                    : (mean[j] + (3 * std[j]), mean[j] + (4 * std[j]));
            }

            return;
        }

        var honest = context.HonestUpdates;
        AttackKernels.ScaledMean(honest, 1f, mean);
        float b = (float)Options.Stretch;

        // Coordinate-wise extremes row by row (contiguous reads), into low (min) and high (max).
        honest[0].CopyTo(low);
        honest[0].CopyTo(high);
        for (int i = 1; i < honest.Rows; i++)
        {
            System.Numerics.Tensors.TensorPrimitives.Min(low, honest[i], low);
            System.Numerics.Tensors.TensorPrimitives.Max(high, honest[i], high);
        }

        for (int j = 0; j < d; j++)
        {
            float min = low[j], max = high[j];
            (low[j], high[j]) = mean[j] > 0
                ? (min > 0 ? (min / b, min) : (b * min, min))
                : (max > 0 ? (max, b * max) : (max, max / b));
        }
    }
}
