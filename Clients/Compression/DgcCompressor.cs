using ByzantineSim.Clients.Training;

namespace ByzantineSim.Clients.Compression;

/// <summary>
/// Deep Gradient Compression (Lin, Han, Mao, Wang, Dally, ICLR 2018, arXiv 1712.01887), one
/// client's step (<see cref="Step"/>): local gradient clipping, momentum correction
/// u = m u + g, v = v + u (with the run's worker momentum and its form), top-k of |v| at the
/// epoch's share (exact selection, ties to the lowest index, where the paper samples a threshold),
/// sent and cleared from v, and momentum factor masking u = u * not(mask); the share
/// follows the warm-up schedule (<see cref="KeptFraction"/>). Bits: k values (32) and k
/// indices (ceil(log2 d)), as for top-k.
/// </summary>
/// <param name="fraction">Share of the coordinates kept after the warm-up (0.001: 99.9% sparsity).</param>
/// <param name="warmupEpochs">Warm-up epochs; 0 turns the warm-up off.</param>
/// <param name="momentumMasking">Zero the momentum where the accumulation was sent.</param>
/// <param name="clipNorm">The client's gradient clipping bound (the paper's global bound times N^-1/2); 0 turns clipping off.</param>
public sealed class DgcCompressor(double fraction, int warmupEpochs, bool momentumMasking, double clipNorm)
    // Error feedback always: DGC keeps what it did not send (the accumulation v) for the next round.
    : Compressor(RegistryName, errorFeedback: true)
{
    /// <summary>The name a spec's YAML uses to select this compressor; its key in the compressor registry.</summary>
    public const string RegistryName = "dgc";

    /// <summary>The kept share's factor per warm-up epoch: 75%, 93.75%, 98.4375%, 99.6% sparsity (the paper's warm-up training).</summary>
    public const double WarmupFactor = 0.25;

    /// <summary>Share of the coordinates kept after the warm-up.</summary>
    public double Fraction { get; } = fraction;

    /// <summary>Epochs of the warm-up; epoch e &lt; this keeps max(0.25^(e+1), <see cref="Fraction"/>).</summary>
    public int WarmupEpochs { get; } = warmupEpochs;

    /// <summary>Whether the momentum is zeroed where the accumulation was sent.</summary>
    public bool MomentumMasking { get; } = momentumMasking;

    /// <summary>The client's gradient clipping bound; 0 disables it.</summary>
    public double ClipNorm { get; } = clipNorm;

    /// <summary>
    /// The share of coordinates kept in the client's epoch <paramref name="epoch"/> (0-based):
    /// max(0.25^(epoch+1), fraction) during the warm-up, fraction after it.
    /// </summary>
    public double KeptFraction(int epoch) =>
        epoch < WarmupEpochs ? Math.Max(Math.Pow(WarmupFactor, epoch + 1), Fraction) : Fraction;

    /// <summary>The coordinates kept of a d-vector in epoch <paramref name="epoch"/>: ceil(share d), at least 1.</summary>
    public int KeptCount(int d, int epoch) => Math.Clamp((int)Math.Ceiling(KeptFraction(epoch) * d), 1, Math.Max(1, d));

    /// <summary>
    /// The sparsification step alone, statelessly, at the final share: top-k of
    /// <paramref name="input"/>. Clients call <see cref="Step"/>, which keeps the momentum and
    /// the accumulation between rounds.
    /// </summary>
    public override long Compress(ReadOnlySpan<float> input, Span<float> decoded, DeterministicRandom random)
    {
        decoded.Clear();
        if (input.Length == 0)
        {
            return 0;
        }

        int k = KeptCount(input.Length, WarmupEpochs);
        LargestMagnitudes.Keep(input, k, decoded);
        return Bits(k, input.Length);
    }

    /// <summary>
    /// One round of DGC on a client. <paramref name="gradient"/> is clipped in place;
    /// <paramref name="momentum"/> (u) and <paramref name="accumulation"/> (v) carry the client's
    /// state in and out (zeros at the start); the sent sparse vector is written into
    /// <paramref name="decoded"/>. Returns the bits sent.
    /// </summary>
    /// <param name="gradient">The client's gradient g (clipped in place).</param>
    /// <param name="momentum">u, updated.</param>
    /// <param name="accumulation">v, updated.</param>
    /// <param name="decoded">The update the server receives: v at the selected coordinates, 0 elsewhere.</param>
    /// <param name="beta">The momentum m (the run's worker momentum).</param>
    /// <param name="form">How the momentum adds the gradient.</param>
    /// <param name="epoch">The client's epoch, for the warm-up.</param>
    public long Step(Span<float> gradient, Span<float> momentum, Span<float> accumulation, Span<float> decoded, double beta, MomentumForm form, int epoch)
    {
        int d = gradient.Length;
        if (momentum.Length != d || accumulation.Length != d || decoded.Length != d)
        {
            throw new ArgumentException($"DGC state of lengths {momentum.Length}, {accumulation.Length} and {decoded.Length} for a gradient of {d}");
        }

        decoded.Clear();
        if (d == 0)
        {
            return 0;
        }

        UpdateClipping.ClipToNorm(gradient, ClipNorm);
        WorkerMomentum.Apply(momentum, gradient, beta, form);
        System.Numerics.Tensors.TensorPrimitives.Add(accumulation, momentum, accumulation);
        int k = KeptCount(d, epoch);
        int[] rented = System.Buffers.ArrayPool<int>.Shared.Rent(k);
        try
        {
            var indices = rented.AsSpan(0, k);
            LargestMagnitudes.Select(accumulation, indices);
            foreach (int i in indices)
            {
                decoded[i] = accumulation[i];
                accumulation[i] = 0;
                if (MomentumMasking)
                {
                    momentum[i] = 0;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(rented);
        }

        return Bits(k, d);
    }

    private static long Bits(int k, int d) => k * (32L + (long)Math.Ceiling(Math.Log2(Math.Max(2, d))));
}
