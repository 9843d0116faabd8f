using System.Runtime.CompilerServices;

namespace ByzantineSim.Clients.Training.Stacked;

// ConvolutionBlock, im2col and its adjoint col2im (Unfold).
internal sealed partial class ConvolutionBlock
{
    /// <summary>im2col: columns[c, (channel, ky, kx), sample * L + oy * W' + ox] = input(c, channel, sample, oy + ky, ox + kx).</summary>
    private void Im2Col(Span<float> input, Layout layout, Shape shape, Span<float> columns) => Unfold(input, layout, shape, columns, gather: true);

    /// <summary>The adjoint of <see cref="Im2Col"/> (col2im): adds each column entry back to the input element it came from (channel-major input).</summary>
    private void Col2Im(Span<float> columns, Shape shape, Span<float> input) => Unfold(input, Layout.ChannelMajor(channels), shape, columns, gather: false);

    /// <summary>Walks every (column row, input row) pair once: copies input rows into columns, or adds columns back into input rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Unfold(Span<float> image, Layout layout, Shape shape, Span<float> columns, bool gather)
    {
        int samples = shape.Samples, outHeight = OutputHeight, outWidth = OutputWidth, plane = height * width;
        fixed (float* imageBase = image, columnBase = columns)
        {
            float* row = columnBase;
            for (int c = 0; c < shape.Clients; c++)
            {
                for (int channel = 0; channel < channels; channel++)
                {
                    for (int ky = 0; ky < kernel; ky++)
                    {
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            for (int s = 0; s < samples; s++)
                            {
                                float* pixels = imageBase + (layout.Plane(c, channel, s, samples) * plane) + (ky * width) + kx;
                                for (int oy = 0; oy < outHeight; oy++, row += outWidth)
                                {
                                    if (gather)
                                    {
                                        Copy(pixels + (oy * width), row, outWidth);
                                    }
                                    else
                                    {
                                        Add(row, pixels + (oy * width), outWidth);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>to[0..count) = from[0..count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* from, float* to, int count)
    {
        int k = 0;
        for (; k + 8 <= count; k += 8)
        {
            System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(from + k), to + k);
        }

        for (; k < count; k++)
        {
            to[k] = from[k];
        }
    }

    /// <summary>to[0..count) += from[0..count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add(float* from, float* to, int count)
    {
        int k = 0;
        for (; k + 8 <= count; k += 8)
        {
            System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(to + k) + System.Runtime.Intrinsics.Vector256.Load(from + k), to + k);
        }

        for (; k < count; k++)
        {
            to[k] += from[k];
        }
    }
}
