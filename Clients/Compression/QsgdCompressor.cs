namespace ByzantineSim.Clients.Compression;

/// <summary>
/// QSGD (Alistarh, Grubic, Li, Tomioka, Vojnovic, NeurIPS 2017, arXiv 1610.02132):
/// Q_s(x)_i = ||x|| sign(x_i) xi_i / s, where with l = floor(s |x_i| / ||x||) the level xi_i is
/// l + 1 with probability s |x_i| / ||x|| - l and l otherwise, so E[Q_s(x)] = x. Bits: the norm
/// (32) plus, per coordinate, a sign and ceil(log2(s + 1)) bits for the level (no Elias coding).
/// </summary>
/// <param name="levels">s.</param>
/// <param name="errorFeedback">Keep the compression error for the next update.</param>
public sealed class QsgdCompressor(int levels, bool errorFeedback) : Compressor(RegistryName, errorFeedback)
{
    /// <summary>The name a spec's YAML uses to select this compressor; its key in the compressor registry.</summary>
    public const string RegistryName = "qsgd";

    /// <summary>Quantisation levels s.</summary>
    public int Levels { get; } = levels;

    /// <inheritdoc />
    public override long Compress(ReadOnlySpan<float> input, Span<float> decoded, DeterministicRandom random)
    {
        double norm = VectorMath.Norm(input);
        long bits = 32 + (input.Length * (1L + (long)Math.Ceiling(Math.Log2(Levels + 1))));
        if (norm == 0 || !double.IsFinite(norm))
        {
            decoded.Clear();
            return bits;
        }

        double unit = norm / Levels;
        for (int i = 0; i < input.Length; i++)
        {
            // The coin flip and the sign are random, so both are selected without a branch:
            // level + 0 or 1, and the sign bit of the non-negative level * unit set for x < 0
            // (sign(x) * level * unit; +0 for either zero, as sign(-0) = 0 gives).
            double scaled = Math.Abs(input[i]) / unit;
            double level = Math.Floor(scaled);
            level += random.NextDouble() < scaled - level ? 1 : 0;
            long negative = input[i] < 0 ? 1 : 0;
            decoded[i] = (float)BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(level * unit) | (negative << 63));
        }

        return bits;
    }
}
