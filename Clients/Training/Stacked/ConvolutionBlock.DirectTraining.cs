using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

// ConvolutionBlock, the first block's training passes in 512-bit sample lanes
// (ForwardDirectly, BackwardDirectly).
internal sealed partial class ConvolutionBlock
{
    /// <summary>
    /// The first block's forward pass for training, as <see cref="EvaluateGroup"/> computes it
    /// (sixteen samples per vector, no im2col, no MKL). Pooled values go to the usual layout
    /// for the next block; the input lanes and each window's winner stay in lanes for
    /// <see cref="BackwardDirectly"/>. It replaces im2col, a K = 25 product and pooling, which
    /// cost more for the first block (docs/PERFORMANCE.md).
    /// </summary>
    private unsafe Saved ForwardDirectly(Tensor theta, Tensor input, Layout outputLayout, Shape shape, Buffers buffers)
    {
        int samples = shape.Samples, pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2, pooledPlane = pooledHeight * pooledWidth;
        int features = channels * height * width;
        var output = buffers.Get("pooled", offset, [shape.Clients, samples, (long)outputs * pooledPlane]);
        int groups = (samples + SampleLanes - 1) / SampleLanes;
        var lanes = buffers.Get("training-lanes", offset, [shape.Clients * groups * InputLanes]);
        var winnerLanes = buffers.Get("training-winner-lanes", offset, [shape.Clients * groups * OutputLanes], ScalarType.Int32);
        var packed = buffers.Get("training-packed-weights", offset, [PackedLength]);
        PackWeights(TensorMemory.Floats(theta), TensorMemory.Floats(packed));
        var source = TensorMemory.Floats(input);
        var laneValues = TensorMemory.Floats(lanes);
        float* pooled = stackalloc float[ChannelBlock * SampleLanes];
        int* winner = stackalloc int[ChannelBlock * SampleLanes];
        fixed (float* packedBase = TensorMemory.Floats(packed), laneValuesBase = laneValues, outputBase = TensorMemory.Floats(output))
        fixed (int* winnerLaneValues = TensorMemory.Ints(winnerLanes))
        {
            for (int c = 0; c < shape.Clients; c++)
            {
                for (int group = 0; group < samples; group += SampleLanes)
                {
                    int count = Math.Min(SampleLanes, samples - group);
                    long lanesAt = ((long)c * groups) + (group / SampleLanes);
                    float* laneBase = laneValuesBase + (lanesAt * InputLanes);
                    int* winnerLaneBase = winnerLaneValues + (lanesAt * OutputLanes);
                    Interleave(source.Slice(((c * samples) + group) * features, count * features), features, laneValues.Slice((int)(lanesAt * InputLanes), (int)InputLanes));
                    for (int block = 0; block < outputs; block += ChannelBlock)
                    {
                        float* weights = packedBase + ((long)block * (Taps + 1));
                        int blockOutputs = Math.Min(ChannelBlock, outputs - block);
                        for (int py = 0; py < pooledHeight; py++)
                        {
                            for (int px = 0; px < pooledWidth; px++)
                            {
                                var sink = new PooledWithWinners(pooled, winner);
                                AccumulateWindow(weights, laneBase + ((((2 * py) * width) + (2 * px)) * SampleLanes), ref sink);
                                for (int o = 0; o < blockOutputs; o++)
                                {
                                    // For the backward pass: the winner where the window passed ReLU, else -1.
                                    var positive = Vector512.GreaterThan(Vector512.Load(pooled + (o * SampleLanes)), Vector512<float>.Zero).AsInt32();
                                    Vector512.ConditionalSelect(positive, Vector512.Load(winner + (o * SampleLanes)), Vector512.Create(-1))
                                        .Store(winnerLaneBase + (((((long)(block + o) * pooledHeight) + py) * pooledWidth + px) * SampleLanes));
                                    long at = (outputLayout.Plane(c, block + o, group, samples) * pooledPlane) + (py * pooledWidth) + px;
                                    for (int s = 0; s < count; s++, at += outputLayout.ChannelFirst ? pooledPlane : (long)outputs * pooledPlane)
                                    {
                                        outputBase[at] = pooled[(o * SampleLanes) + s];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return new Saved(lanes, input, output, winnerLanes);
    }

    /// <summary>
    /// The first block's backward pass after <see cref="ForwardDirectly"/>, in its sample
    /// lanes: a window's gradient reaches its winner when the window passed ReLU (the winner
    /// lanes hold -1 where it did not), so the four positions' gradients are masks of the
    /// window's, and weight gradient[o, channel, ky, kx] accumulates, per lane, over the
    /// windows, gradient(position) x input(position + (ky, kx)); lanes are summed at the end,
    /// then groups in order. No products gradient is written: unpooling into it and reading it
    /// back for the weight gradient were most of the cost (docs/PERFORMANCE.md). Needs 5 x 5
    /// kernels (<see cref="Direct"/>).
    /// </summary>
    private unsafe void BackwardDirectly(Saved saved, Tensor delta, Layout outputLayout, Shape shape, GradientRows gradients, Buffers buffers)
    {
        int samples = shape.Samples, pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2, pooledPlane = pooledHeight * pooledWidth;
        int groups = (samples + SampleLanes - 1) / SampleLanes, weightSize = outputs * Taps, row = width * SampleLanes;
        var deltaLanes = buffers.Get("training-delta-lanes", offset, [OutputLanes]);
        var deltaValues = TensorMemory.Floats(deltaLanes);
        var source = TensorMemory.Floats(delta);
        fixed (float* inputLanes = TensorMemory.Floats(saved.Columns), deltaBase = deltaValues)
        fixed (int* winnerLanes = TensorMemory.Ints(saved.Winners))
        {
            for (int c = 0; c < shape.Clients; c++)
            {
                var destination = gradients[c].Slice(offset, ParameterCount);
                destination.Clear();
                for (int group = 0; group < samples; group += SampleLanes)
                {
                    int count = Math.Min(SampleLanes, samples - group);
                    long lanesAt = ((long)c * groups) + (group / SampleLanes);
                    if (count < SampleLanes)
                    {
                        deltaValues.Clear();
                    }

                    for (int o = 0; o < outputs; o++)
                    {
                        for (int s = 0; s < count; s++)
                        {
                            var plane = source.Slice((int)(outputLayout.Plane(c, o, group + s, samples) * pooledPlane), pooledPlane);
                            for (int p = 0; p < pooledPlane; p++)
                            {
                                deltaValues[(((o * pooledPlane) + p) * SampleLanes) + s] = plane[p];
                            }
                        }
                    }

                    float* lanes = inputLanes + (lanesAt * InputLanes);
                    int* winners = winnerLanes + (lanesAt * OutputLanes);
                    for (int o = 0; o < outputs; o++)
                    {
                        float* gradient = deltaBase + ((long)o * pooledPlane * SampleLanes);
                        int* winner = winners + ((long)o * pooledPlane * SampleLanes);
                        var bias = Vector512<float>.Zero;
                        for (int p = 0; p < pooledPlane; p++)
                        {
                            bias += Vector512.Load(gradient + (p * SampleLanes)) & Vector512.GreaterThanOrEqual(Vector512.Load(winner + (p * SampleLanes)), Vector512<int>.Zero).AsSingle();
                        }

                        destination[weightSize + o] += Vector512.Sum(bias);
                        for (int channel = 0; channel < channels; channel++)
                        {
                            for (int ky = 0; ky < DirectKernel; ky++)
                            {
                                float* taps = lanes + ((((long)channel * height) + ky) * row);
                                KernelRowGradient(gradient, winner, taps, row, pooledHeight, pooledWidth, destination.Slice((o * Taps) + (((channel * DirectKernel) + ky) * DirectKernel), DirectKernel));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// One kernel row of <see cref="BackwardDirectly"/>: adds to <paramref name="target"/>[kx]
    /// the sum over windows and lanes of the four positions' gradients times the inputs
    /// (ky, kx) away, two accumulators per kx (upper and lower row of the window) so that no
    /// chain of four dependent FMAs forms.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void KernelRowGradient(float* gradient, int* winner, float* taps, int row, int pooledHeight, int pooledWidth, Span<float> target)
    {
        KernelRow upper = default, lower = default;
        for (int py = 0; py < pooledHeight; py++)
        {
            for (int px = 0; px < pooledWidth; px++, gradient += SampleLanes, winner += SampleLanes)
            {
                var g = Vector512.Load(gradient);
                var w = Vector512.Load(winner);
                float* top = taps + (2 * py * row) + (2 * px * SampleLanes);
                upper.Add(top, g & Vector512.Equals(w, Vector512<int>.Zero).AsSingle(), g & Vector512.Equals(w, Vector512.Create(1)).AsSingle());
                lower.Add(top + row, g & Vector512.Equals(w, Vector512.Create(2)).AsSingle(), g & Vector512.Equals(w, Vector512.Create(3)).AsSingle());
            }
        }

        target[0] += Vector512.Sum(upper.K0 + lower.K0);
        target[1] += Vector512.Sum(upper.K1 + lower.K1);
        target[2] += Vector512.Sum(upper.K2 + lower.K2);
        target[3] += Vector512.Sum(upper.K3 + lower.K3);
        target[4] += Vector512.Sum(upper.K4 + lower.K4);
    }

    /// <summary>A kernel row's five accumulators for one row of the pooling windows (<see cref="KernelRowGradient"/>).</summary>
    private struct KernelRow
    {
        /// <summary>The running sums for kx = 0..4, sixteen lanes each.</summary>
        public Vector512<float> K0, K1, K2, K3, K4;

        /// <summary>Adds, for kx = 0..4, left x input[kx] + right x input[kx + 1] (the window's two positions in this row).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Add(float* input, Vector512<float> left, Vector512<float> right)
        {
            var x0 = Vector512.Load(input);
            var x1 = Vector512.Load(input + SampleLanes);
            var x2 = Vector512.Load(input + (2 * SampleLanes));
            var x3 = Vector512.Load(input + (3 * SampleLanes));
            var x4 = Vector512.Load(input + (4 * SampleLanes));
            var x5 = Vector512.Load(input + (5 * SampleLanes));
            K0 = Vector512.FusedMultiplyAdd(right, x1, Vector512.FusedMultiplyAdd(left, x0, K0));
            K1 = Vector512.FusedMultiplyAdd(right, x2, Vector512.FusedMultiplyAdd(left, x1, K1));
            K2 = Vector512.FusedMultiplyAdd(right, x3, Vector512.FusedMultiplyAdd(left, x2, K2));
            K3 = Vector512.FusedMultiplyAdd(right, x4, Vector512.FusedMultiplyAdd(left, x3, K3));
            K4 = Vector512.FusedMultiplyAdd(right, x5, Vector512.FusedMultiplyAdd(left, x4, K4));
        }
    }
}
