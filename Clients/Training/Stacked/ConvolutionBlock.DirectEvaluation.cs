using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

// ConvolutionBlock, evaluation in 512-bit sample lanes: samples interleaved sixteen to a
// vector, weights packed, every pooling window of a block swept (EvaluateGroup).
internal sealed partial class ConvolutionBlock
{
    /// <summary>
    /// Interleaves consecutive samples of <paramref name="features"/> values each (at most
    /// <see cref="SampleLanes"/>) into <paramref name="lanes"/>: lanes[f * 16 + s] = sample s's
    /// feature f. Lanes past the last sample are zeroed.
    /// </summary>
    public static void Interleave(ReadOnlySpan<float> samples, int features, Span<float> lanes)
    {
        int count = samples.Length / features;
        if (count < SampleLanes)
        {
            lanes.Slice(0, features * SampleLanes).Clear();
        }

        for (int s = 0; s < count; s++)
        {
            var sample = samples.Slice(s * features, features);
            for (int f = 0; f < features; f++)
            {
                lanes[(f * SampleLanes) + s] = sample[f];
            }
        }
    }

    /// <summary>Before evaluating at new parameters: packs the weights as <see cref="EvaluateWindow"/> reads them.</summary>
    public void PrepareEvaluation(Tensor theta, Buffers buffers)
    {
        if (EvaluatesDirectly)
        {
            PackWeights(TensorMemory.Floats(theta), TensorMemory.Floats(PackedWeights(buffers)));
        }
    }

    /// <summary>The weights <see cref="PrepareEvaluation"/> packed.</summary>
    public Tensor PackedWeights(Buffers buffers) => buffers.Get("packed-weights", offset, [PackedLength]);

    /// <summary>
    /// packed[block, tap, j] = weight[block * 4 + j, tap], then packed[block, Taps, j] = bias:
    /// one block's weights are contiguous (8 KB for cnn_mnist's second block), so they stay in
    /// the first-level cache while it sweeps every window. Zero for the padding channels.
    /// </summary>
    private void PackWeights(Span<float> theta, Span<float> packed)
    {
        packed.Clear();
        for (int o = 0; o < outputs; o++)
        {
            var block = packed.Slice(o / ChannelBlock * (Taps + 1) * ChannelBlock);
            var weights = theta.Slice(offset + (o * Taps), Taps);
            for (int tap = 0; tap < Taps; tap++)
            {
                block[(tap * ChannelBlock) + (o % ChannelBlock)] = weights[tap];
            }

            block[(Taps * ChannelBlock) + (o % ChannelBlock)] = theta[offset + (outputs * Taps) + o];
        }
    }

    /// <summary>Floats of a block's input for <see cref="EvaluateGroup"/>: [channel, y, x, sample lane].</summary>
    public long InputLanes => (long)channels * height * width * SampleLanes;

    /// <summary>Floats of a block's output for <see cref="EvaluateGroup"/>: [output channel, pooled y, pooled x, sample lane].</summary>
    public long OutputLanes => (long)outputs * (OutputHeight / 2) * (OutputWidth / 2) * SampleLanes;

    /// <summary>
    /// Evaluation's convolution, ReLU and pooling for sixteen samples at once, without im2col:
    /// samples are the vector lanes of both <paramref name="input"/> and
    /// <paramref name="output"/> (see <see cref="InputLanes"/>, <see cref="OutputLanes"/>), so
    /// one block's output is the next block's input as it is. For each block of four output
    /// channels and each pooling window, <see cref="EvaluateWindow"/> accumulates the window's
    /// four positions in registers. Only pooled values are written: no im2col columns, and no
    /// copy of them into MKL's own layout, which were much of evaluation's time
    /// (docs/PERFORMANCE.md). Training keeps im2col past the first block: its backward pass
    /// reads the columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void EvaluateGroup(Span<float> packed, Span<float> input, Span<float> output)
    {
        int pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2, channelStride = pooledHeight * pooledWidth * SampleLanes;
        float* pooled = stackalloc float[ChannelBlock * SampleLanes];
        fixed (float* packedBase = packed, inputBase = input, outputBase = output)
        {
            for (int first = 0; first < outputs; first += ChannelBlock)
            {
                float* weights = packedBase + ((long)first * (Taps + 1));
                int count = Math.Min(ChannelBlock, outputs - first);
                for (int py = 0; py < pooledHeight; py++)
                {
                    for (int px = 0; px < pooledWidth; px++)
                    {
                        float* corner = inputBase + ((((2 * py) * width) + (2 * px)) * SampleLanes);
                        float* target = outputBase + ((((((long)first * pooledHeight) + py) * pooledWidth) + px) * SampleLanes);
                        if (count == ChannelBlock)
                        {
                            EvaluateWindow(weights, corner, target, channelStride);
                            continue;
                        }

                        // The last block has padding channels: their results go to scratch, the others are copied out.
                        EvaluateWindow(weights, corner, pooled, SampleLanes);
                        for (int o = 0; o < count; o++)
                        {
                            Vector512.Load(pooled + (o * SampleLanes)).Store(target + (o * channelStride));
                        }
                    }
                }
            }
        }
    }
}
