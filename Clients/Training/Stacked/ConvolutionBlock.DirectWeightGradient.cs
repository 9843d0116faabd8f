using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ByzantineSim.Clients.Training.Stacked;

// ConvolutionBlock, the first block's weight gradient formed directly in 256-bit vectors, after
// the im2col forward pass (DirectWeightGradient).
internal sealed partial class ConvolutionBlock
{
    /// <summary>
    /// weight gradient[o, tap] = sum over samples and outputs (y, x) of
    /// gradient[c, o, s, y, x] * input(c, s, channel, y + ky, x + kx): two output channels and
    /// the five taps of a kernel row at a time, accumulated in vectors over rows of eight
    /// outputs (an overlapping last vector masks the lanes already counted), then summed
    /// across lanes; written straight into each client's gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void DirectWeightGradient(Span<float> input, Span<float> gradient, Shape shape, GradientRows gradients)
    {
        int samples = shape.Samples, outHeight = OutputHeight, outWidth = OutputWidth, plane = height * width, taps = Taps;
        long stride = (long)samples * Positions;
        fixed (float* inputBase = input, gradientBase = gradient)
        {
            for (int c = 0; c < shape.Clients; c++)
            {
                var destination = gradients[c].Slice(offset, outputs * taps);
                for (int o = 0; o < outputs; o += 2)
                {
                    // With an odd count, the last channel is paired with itself and the copy is dropped.
                    float* gradientA = gradientBase + ((((long)c * outputs) + o) * stride);
                    float* gradientB = gradientBase + ((((long)c * outputs) + Math.Min(o + 1, outputs - 1)) * stride);
                    for (int channel = 0; channel < channels; channel++)
                    {
                        for (int ky = 0; ky < kernel; ky++)
                        {
                            var a0 = Vector256<float>.Zero;
                            var a1 = a0;
                            var a2 = a0;
                            var a3 = a0;
                            var a4 = a0;
                            var b0 = a0;
                            var b1 = a0;
                            var b2 = a0;
                            var b3 = a0;
                            var b4 = a0;
                            for (int s = 0; s < samples; s++)
                            {
                                float* image = inputBase + ((((long)c * samples) + s) * channels * plane) + (channel * plane) + (ky * width);
                                float* ga = gradientA + ((long)s * Positions);
                                float* gb = gradientB + ((long)s * Positions);
                                for (int y = 0; y < outHeight; y++, image += width, ga += outWidth, gb += outWidth)
                                {
                                    for (int next = 0; next < outWidth; next += Vector256<float>.Count)
                                    {
                                        int x = Math.Min(next, outWidth - Vector256<float>.Count);
                                        var ea = Vector256.Load(ga + x);
                                        var eb = Vector256.Load(gb + x);
                                        if (x < next)
                                        {
                                            // Lanes x .. next - 1 were counted by the vector before.
                                            var fresh = Vector256.GreaterThanOrEqual(Vector256.Create(x) + Vector256<int>.Indices, Vector256.Create(next)).AsSingle();
                                            ea &= fresh;
                                            eb &= fresh;
                                        }

                                        float* row = image + x;
                                        var v0 = Vector256.Load(row);
                                        var v1 = Vector256.Load(row + 1);
                                        var v2 = Vector256.Load(row + 2);
                                        var v3 = Vector256.Load(row + 3);
                                        var v4 = Vector256.Load(row + 4);
                                        a0 = Vector256.FusedMultiplyAdd(ea, v0, a0);
                                        a1 = Vector256.FusedMultiplyAdd(ea, v1, a1);
                                        a2 = Vector256.FusedMultiplyAdd(ea, v2, a2);
                                        a3 = Vector256.FusedMultiplyAdd(ea, v3, a3);
                                        a4 = Vector256.FusedMultiplyAdd(ea, v4, a4);
                                        b0 = Vector256.FusedMultiplyAdd(eb, v0, b0);
                                        b1 = Vector256.FusedMultiplyAdd(eb, v1, b1);
                                        b2 = Vector256.FusedMultiplyAdd(eb, v2, b2);
                                        b3 = Vector256.FusedMultiplyAdd(eb, v3, b3);
                                        b4 = Vector256.FusedMultiplyAdd(eb, v4, b4);
                                    }
                                }
                            }

                            int tap = ((channel * kernel) + ky) * kernel;
                            Span<Vector256<float>> sums = [a0, a1, a2, a3, a4, b0, b1, b2, b3, b4];
                            for (int k = 0; k < 2 && o + k < outputs; k++)
                            {
                                for (int kx = 0; kx < DirectKernel; kx++)
                                {
                                    destination[((o + k) * taps) + tap + kx] = Vector256.Sum(sums[(k * DirectKernel) + kx]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
