using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ByzantineSim.Clients.Training.Stacked;

// ConvolutionBlock, the 512-bit window kernel shared by evaluation and training: one pooling
// window of four output channels and sixteen samples in registers, and what becomes of its sums
// (AccumulateWindow, with a sink per use).
internal sealed partial class ConvolutionBlock
{
    /// <summary>
    /// One pooling window of <see cref="EvaluateGroup"/> for four output channels and
    /// sixteen samples: max(0, max over the window's four positions of bias + sum over taps
    /// of weight x input), the bias added before the maximum as in <see cref="Pool"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void EvaluateWindow(float* weights, float* corner, float* result, int resultStride)
    {
        var sink = new Pooled(result, resultStride);
        AccumulateWindow(weights, corner, ref sink);
    }

    /// <summary>
    /// The sums over taps of weight x input at the four positions of one pooling window, for
    /// four output channels and sixteen samples, handed to <paramref name="sink"/> with the
    /// channels' biases. A struct sink is compiled into the loop, so its work costs no call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void AccumulateWindow<TSink>(float* weights, float* corner, ref TSink sink)
        where TSink : struct, IWindowSink
    {
        // Accumulators updated in place: a struct returned by value cost a register copy per FMA or so.
        WindowSums a = default, b = default, c = default, d = default;
        int row = width * SampleLanes;
        for (int channel = 0; channel < channels; channel++)
        {
            float* top = corner + ((long)channel * height * row);
            for (int ky = 0; ky < kernel; ky++, top += row)
            {
                for (int kx = 0; kx < kernel; kx++, weights += ChannelBlock)
                {
                    float* at = top + (kx * SampleLanes);
                    var upperLeft = Vector512.Load(at);
                    var upperRight = Vector512.Load(at + SampleLanes);
                    var lowerLeft = Vector512.Load(at + row);
                    var lowerRight = Vector512.Load(at + row + SampleLanes);
                    a.Add(Broadcast(weights), upperLeft, upperRight, lowerLeft, lowerRight);
                    b.Add(Broadcast(weights + 1), upperLeft, upperRight, lowerLeft, lowerRight);
                    c.Add(Broadcast(weights + 2), upperLeft, upperRight, lowerLeft, lowerRight);
                    d.Add(Broadcast(weights + 3), upperLeft, upperRight, lowerLeft, lowerRight);
                }
            }
        }

        sink.Take(0, a.UpperLeft, a.UpperRight, a.LowerLeft, a.LowerRight, weights);
        sink.Take(1, b.UpperLeft, b.UpperRight, b.LowerLeft, b.LowerRight, weights + 1);
        sink.Take(2, c.UpperLeft, c.UpperRight, c.LowerLeft, c.LowerRight, weights + 2);
        sink.Take(3, d.UpperLeft, d.UpperRight, d.LowerLeft, d.LowerRight, weights + 3);
    }

    /// <summary>One output channel's sums at the four positions of a pooling window (<see cref="AccumulateWindow"/>).</summary>
    private struct WindowSums
    {
        /// <summary>The running sums at the window's four positions, sixteen samples each.</summary>
        public Vector512<float> UpperLeft, UpperRight, LowerLeft, LowerRight;

        /// <summary>Adds <paramref name="weight"/> times each position's input, fused.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(Vector512<float> weight, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight)
        {
            UpperLeft = Vector512.FusedMultiplyAdd(upperLeft, weight, UpperLeft);
            UpperRight = Vector512.FusedMultiplyAdd(upperRight, weight, UpperRight);
            LowerLeft = Vector512.FusedMultiplyAdd(lowerLeft, weight, LowerLeft);
            LowerRight = Vector512.FusedMultiplyAdd(lowerRight, weight, LowerRight);
        }
    }

    /// <summary>
    /// *<paramref name="value"/> in every lane, broadcast straight from memory:
    /// <c>Vector512.Create(float)</c> loads the value, then broadcasts it on the shuffle port,
    /// which the second FMA unit shares.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Broadcast(float* value) =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported
            ? System.Runtime.Intrinsics.X86.Avx512F.BroadcastScalarToVector512(System.Runtime.Intrinsics.X86.Sse.LoadScalarVector128(value))
            : Vector512.Create(*value);

    /// <summary>max(0, max of a window's four positions); NaN stays NaN (as <see cref="Window.Best"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Best(Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight) =>
        Vector512.Max(Vector512.Max(Vector512.Max(upperLeft, upperRight), Vector512.Max(lowerLeft, lowerRight)), Vector512<float>.Zero);

    /// <summary>What <see cref="AccumulateWindow"/> does with a window's sums.</summary>
    private interface IWindowSink
    {
        /// <summary>Output channel <paramref name="channel"/> (0-3 of the block): its sums at the four positions, and its bias.</summary>
        unsafe void Take(int channel, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight, float* bias);
    }

    /// <summary>Evaluation: the pooled value of channel k goes to result + k x stride.</summary>
    private readonly unsafe struct Pooled(float* result, int stride) : IWindowSink
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take(int channel, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight, float* bias)
        {
            var b = Vector512.Create(*bias);
            Best(upperLeft + b, upperRight + b, lowerLeft + b, lowerRight + b).Store(result + (channel * stride));
        }
    }

    /// <summary>
    /// Training: pooled values and winners of channel k go to the sixteen lanes at k x 16 of
    /// <paramref name="pooled"/> and <paramref name="winners"/>; the winner is chosen as
    /// <see cref="Window.Winner"/> chooses it.
    /// </summary>
    private readonly unsafe struct PooledWithWinners(float* pooled, int* winners) : IWindowSink
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Take(int channel, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight, float* bias)
        {
            var b = Vector512.Create(*bias);
            var (v0, v1, v2, v3) = (upperLeft + b, upperRight + b, lowerLeft + b, lowerRight + b);
            Best(v0, v1, v2, v3).Store(pooled + (channel * SampleLanes));
            var one = Vector512.Create(1);
            var upperIndex = Vector512.GreaterThan(v1, v0).AsInt32() & one;
            var lowerIndex = (Vector512.GreaterThan(v3, v2).AsInt32() & one) + Vector512.Create(2);
            var lowerWins = Vector512.GreaterThan(Vector512.Max(v2, v3), Vector512.Max(v0, v1)).AsInt32();
            Vector512.ConditionalSelect(lowerWins, lowerIndex, upperIndex).Store(winners + (channel * SampleLanes));
        }
    }
}
