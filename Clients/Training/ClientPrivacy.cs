using System.Numerics.Tensors;

namespace ByzantineSim.Clients.Training;

/// <summary>
/// Client-side differential privacy of the Gaussian mechanism, per update: clip the update to
/// norm <see cref="Clip"/>, then add N(0, (multiplier * clip)^2) to every coordinate (the
/// update-level form of DP-SGD, Abadi et al. 2016; McMahan et al. 2018's DP-FedAvg). It runs
/// before worker momentum, which is then post-processing of private outputs.
/// </summary>
/// <param name="Clip">Norm bound C.</param>
/// <param name="NoiseMultiplier">sigma, the noise standard deviation in units of C.</param>
public sealed record ClientPrivacy(double Clip, double NoiseMultiplier)
{
    /// <summary>Clips and noises <paramref name="update"/> in place.</summary>
    public void Apply(Span<float> update, DeterministicRandom random)
    {
        UpdateClipping.ClipToNorm(update, Clip);
        double std = NoiseMultiplier * Clip;
        for (int i = 0; i < update.Length; i++)
        {
            update[i] += (float)(std * random.NextGaussian());
        }
    }
}

/// <summary>Norm clipping of vectors.</summary>
public static class UpdateClipping
{
    /// <summary>Scales <paramref name="values"/> so that its norm is at most <paramref name="bound"/> (no-op for bound &lt;= 0).</summary>
    public static void ClipToNorm(Span<float> values, double bound)
    {
        if (bound <= 0)
        {
            return;
        }

        float norm = VectorMath.Norm(values);
        if (norm > bound && float.IsFinite(norm))
        {
            TensorPrimitives.Multiply(values, (float)(bound / norm), values);
        }
    }
}
