using System.Numerics.Tensors;

namespace ByzantineSim.Clients.Compression;

/// <summary>
/// TernGrad (Wen, Xu, Yan, Wu, Wang, Chen, Li, NeurIPS 2017, arXiv 1705.07878):
/// s = max_i |x_i|; send s sign(x_i) b_i with b_i ~ Bernoulli(|x_i| / s), unbiased. Bits: 32 for
/// s plus 2 per coordinate.
/// </summary>
/// <param name="errorFeedback">Keep the compression error for the next update.</param>
public sealed class TernGradCompressor(bool errorFeedback) : Compressor(RegistryName, errorFeedback)
{
    /// <summary>The name a spec's YAML uses to select this compressor; its key in the compressor registry.</summary>
    public const string RegistryName = "terngrad";

    /// <inheritdoc />
    public override long Compress(ReadOnlySpan<float> input, Span<float> decoded, DeterministicRandom random)
    {
        long bits = 32 + (2L * input.Length);
        float scale = input.Length == 0 ? 0 : TensorPrimitives.MaxMagnitude(input);
        scale = Math.Abs(scale);
        if (scale == 0 || !float.IsFinite(scale))
        {
            decoded.Clear();
            return bits;
        }

        for (int i = 0; i < input.Length; i++)
        {
            decoded[i] = random.NextDouble() < Math.Abs(input[i]) / scale ? MathF.Sign(input[i]) * scale : 0f;
        }

        return bits;
    }
}
