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

        // sign(x) * scale with probability |x| / scale, else +0: the coin flip and the sign are
        // random, so the bits are assembled without a branch (a zero x is never kept).
        int scaleBits = BitConverter.SingleToInt32Bits(scale);
        for (int i = 0; i < input.Length; i++)
        {
            int kept = random.NextDouble() < Math.Abs(input[i]) / scale ? 1 : 0;
            int negative = input[i] < 0 ? 1 : 0;
            decoded[i] = BitConverter.Int32BitsToSingle((-kept & scaleBits) | ((kept & negative) << 31));
        }

        return bits;
    }
}
