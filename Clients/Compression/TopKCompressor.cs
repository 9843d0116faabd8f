namespace ByzantineSim.Clients.Compression;

/// <summary>
/// Top-k sparsification: keep the k = ceil(fraction * d) coordinates of largest magnitude (ties:
/// lowest index), zero the rest. Biased, hence usually paired with error feedback (Stich,
/// Cordonnier, Jaggi, NeurIPS 2018, arXiv 1809.07599). Bits: k values (32) and k indices
/// (ceil(log2 d)).
/// </summary>
/// <param name="fraction">Share of the coordinates kept, k / d, in (0, 1].</param>
/// <param name="errorFeedback">Keep the compression error for the next update.</param>
public sealed class TopKCompressor(double fraction, bool errorFeedback) : Compressor(RegistryName, errorFeedback)
{
    /// <summary>The name a spec's YAML uses to select this compressor; its key in the compressor registry.</summary>
    public const string RegistryName = "topk";

    /// <summary>Share of the coordinates kept, k / d: each update keeps its ceil(fraction * d) largest in magnitude.</summary>
    public double Fraction { get; } = fraction;

    /// <inheritdoc />
    public override long Compress(ReadOnlySpan<float> input, Span<float> decoded, DeterministicRandom random)
    {
        int d = input.Length;
        int k = Math.Clamp((int)Math.Ceiling(Fraction * d), 1, Math.Max(1, d));
        decoded.Clear();
        if (d == 0)
        {
            return 0;
        }

        LargestMagnitudes.Keep(input, k, decoded);
        return k * (32L + (long)Math.Ceiling(Math.Log2(Math.Max(2, d))));
    }
}
