using System.Numerics.Tensors;

namespace ByzantineSim.Attacks.Mimic;

/// <summary>
/// Mimic (Karimireddy, He, Jaggi, ICLR 2022, arXiv 2006.09365): all Byzantine clients send a
/// copy of one honest client's update, which over-weights that client's data and so biases
/// robust rules on heterogeneous (non-IID) data, where no single update is representative.
/// The target is the honest client whose update has the largest projection on z, an estimate
/// of the direction of largest variance of the honest updates. During the warm-up rounds z is
/// refined by a streaming power iteration around the running mean mu (EPFL-ML's
/// MimicVariantAttacker):
/// t = 0: mu = mean(g), z = normalise(sum_i &lt;g_i - mu, z0&gt; (g_i - mu)) from a random z0;
/// 0 &lt; t &lt; warmup: mu = (t mu + mean(g)) / (t + 1),
/// z = normalise((t z + normalise(sum_i &lt;g_i - mu, z&gt; (g_i - mu))) / (t + 1));
/// the target is argmax_i |&lt;g_i, z&gt;| each warm-up round, then stays fixed. The absolute
/// value (ByzFL's WorkerWithMaxVariance) makes the choice independent of the random sign of z;
/// EPFL-ML's signed argmax picks either end of the spread depending on z0. Stateful: the
/// estimate lives in <see cref="MimicState"/>, which the coalition keeps between rounds. With
/// <see cref="MimicOptions.Target"/> set, the attack copies that client every round instead
/// (ByzFL's <c>Mimic(epsilon)</c>), and keeps no state.
/// </summary>
public sealed class MimicAttack(MimicOptions options) : Attack<MimicOptions>(RegistryName, options, AttackKnowledge.HonestUpdates, sendsOneVector: true)
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "mimic";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        var honest = context.HonestUpdates;
        if (Options.Target is { } target)
        {
            // ByzFL's Mimic(epsilon): the same client every round, no estimate and no state.
            honest[RowOf(context, target) ?? 0].CopyTo(output[..context.Dimension]);
            return null;
        }

        var state = context.State as MimicState;
        MimicState next;
        int row;
        if (state is null || state.Step < Options.Warmup)
        {
            next = Update(honest, state, context.Seed);
            row = ArgMaxProjection(honest, next.Direction.Span);
            next = next with { Target = context.HonestId(row) };
        }
        else
        {
            // After the warm-up the target is fixed; if it did not reply this round, copy the
            // best remaining client along the last direction rather than fall silent.
            row = RowOf(context, state.Target) ?? ArgMaxProjection(honest, state.Direction.Span);
            next = state with { Step = state.Step + 1 };
        }

        honest[row].CopyTo(output[..context.Dimension]);
        return next;
    }

    /// <summary>One warm-up step of the direction estimate (pure: returns the new state).</summary>
    public static MimicState Update(RowMatrix honest, MimicState? previous, ulong seed)
    {
        int d = honest.Columns;
        var mean = new float[d];
        AttackKernels.ScaledMean(honest, 1f, mean);
        var mu = new float[d];
        var z = new float[d];
        int t = previous?.Step ?? 0;
        if (previous is null)
        {
            mean.CopyTo(mu, 0);
            var random = new DeterministicRandom(Seed.Derive(seed, "mimic-direction"));
            for (int j = 0; j < d; j++)
            {
                z[j] = (float)random.NextGaussian();
            }

            var cumulative = Cumulative(honest, mu, z);
            if (Normalise(cumulative))
            {
                cumulative.CopyTo(z, 0);
            }
        }
        else
        {
            float keep = t / (t + 1f);
            float add = 1f / (t + 1f);
            TensorPrimitives.Multiply(previous.Mean.Span, keep, mu);
            TensorPrimitives.MultiplyAdd(mean, add, mu, mu);
            var cumulative = Cumulative(honest, mu, previous.Direction.Span);
            TensorPrimitives.Multiply(previous.Direction.Span, keep, z);
            if (Normalise(cumulative))
            {
                TensorPrimitives.MultiplyAdd(cumulative, add, z, z);
            }
        }

        Normalise(z);
        return new MimicState(t + 1, VectorPayload.TakeOwnership(mu), VectorPayload.TakeOwnership(z), -1);
    }

    /// <summary>The honest row with the largest |&lt;g_i, z&gt;| (ties: the lowest row).</summary>
    public static int ArgMaxProjection(RowMatrix honest, ReadOnlySpan<float> direction)
    {
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int i = 0; i < honest.Rows; i++)
        {
            double value = Math.Abs(TensorPrimitives.Dot(honest[i], direction));
            if (value > bestValue)
            {
                best = i;
                bestValue = value;
            }
        }

        return best;
    }

    /// <summary>sum_i &lt;g_i - mu, z&gt; (g_i - mu), without a per-row scratch: sum_i w_i g_i - (sum_i w_i) mu.</summary>
    private static float[] Cumulative(RowMatrix honest, ReadOnlySpan<float> mu, ReadOnlySpan<float> z)
    {
        var sum = new float[honest.Columns];
        float muDotZ = TensorPrimitives.Dot(mu, z);
        float totalWeight = 0;
        for (int i = 0; i < honest.Rows; i++)
        {
            float weight = TensorPrimitives.Dot(honest[i], z) - muDotZ;
            totalWeight += weight;
            TensorPrimitives.MultiplyAdd(honest[i], weight, sum, sum);
        }

        TensorPrimitives.MultiplyAdd(mu, -totalWeight, sum, sum);
        return sum;
    }

    /// <summary>Scales to unit norm; false (and unchanged) when the norm is zero or not finite.</summary>
    private static bool Normalise(Span<float> values)
    {
        float norm = TensorPrimitives.Norm(values);
        if (!(norm > 0) || !float.IsFinite(norm))
        {
            return false;
        }

        TensorPrimitives.Multiply(values, 1f / norm, values);
        return true;
    }

    private static int? RowOf(in AttackContext context, int clientId)
    {
        for (int row = 0; row < context.HonestUpdates.Rows; row++)
        {
            if (context.HonestId(row) == clientId)
            {
                return row;
            }
        }

        return null;
    }
}

/// <summary>Mimic's state: the running mean and direction of the honest updates, and the chosen client.</summary>
/// <param name="Step">Rounds the attack has run.</param>
/// <param name="Mean">Running mean mu of the honest updates over the warm-up.</param>
/// <param name="Direction">Unit direction z of largest honest variance.</param>
/// <param name="Target">Client id all Byzantine clients copy.</param>
public sealed record MimicState(int Step, VectorPayload Mean, VectorPayload Direction, int Target) : AttackState;
