using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ByzantineSim.Clients.Training.Stacked;

// ConvolutionBlock, bias, ReLU and 2x2 max-pooling after the im2col product, and back through
// them (Pool, Unpool).
internal sealed partial class ConvolutionBlock
{
    /// <summary>
    /// Adds the bias, then ReLU and 2x2 max-pooling. The winner of a window is the larger of its
    /// two rows' maxima, the upper row on a tie, and within a row the left one on a tie (so the
    /// first maximum in row-major order, as in libtorch); NaN propagates. Four windows at a time,
    /// without branches: the comparisons are coin flips for a branch predictor. Winners are
    /// recorded only when <paramref name="winners"/> is not empty (training).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Pool(Span<float> products, Span<float> bias, Layout layout, Shape shape, Span<float> output, Span<int> winners)
    {
        int samples = shape.Samples, outWidth = OutputWidth, pooledHeight = OutputHeight / 2, pooledWidth = outWidth / 2;
        int pooledPlane = pooledHeight * pooledWidth;
        fixed (float* productBase = products, outputBase = output)
        fixed (int* winnerBase = winners)
        {
            for (int c = 0; c < shape.Clients; c++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    var b = Vector128.Create(bias[o]);
                    for (int s = 0; s < samples; s++)
                    {
                        float* source = productBase + ((((long)c * outputs + o) * samples + s) * Positions);
                        long target = layout.Plane(c, o, s, samples) * pooledPlane;
                        for (int py = 0; py < pooledHeight; py++)
                        {
                            float* top = source + (2 * py * outWidth);
                            float* pooled = outputBase + target + (py * pooledWidth);
                            int* winner = winnerBase == null ? null : winnerBase + target + (py * pooledWidth);
                            int px = 0;
                            for (; px + 4 <= pooledWidth; px += 4)
                            {
                                var window = Window.Load(top + (2 * px), outWidth, b);
                                window.Best().Store(pooled + px);
                                if (winner != null)
                                {
                                    window.Winner().Store(winner + px);
                                }
                            }

                            for (; px < pooledWidth; px++)
                            {
                                var window = Window.LoadOne(top + (2 * px), outWidth, b);
                                pooled[px] = window.Best().ToScalar();
                                if (winner != null)
                                {
                                    winner[px] = window.Winner().ToScalar();
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Back through pooling and ReLU: each window's gradient goes to its winner if the window
    /// was positive, and 0 to the other three, so every element of <paramref name="products"/> is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Unpool(Span<float> delta, Span<float> pooled, Span<int> winners, Layout layout, Shape shape, Span<float> products)
    {
        int samples = shape.Samples, outWidth = OutputWidth, pooledHeight = OutputHeight / 2, pooledWidth = outWidth / 2;
        int pooledPlane = pooledHeight * pooledWidth;
        fixed (float* deltaBase = delta, pooledBase = pooled, productBase = products)
        fixed (int* winnerBase = winners)
        {
            for (int c = 0; c < shape.Clients; c++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    for (int s = 0; s < samples; s++)
                    {
                        float* plane = productBase + ((((long)c * outputs + o) * samples + s) * Positions);
                        long source = layout.Plane(c, o, s, samples) * pooledPlane;
                        for (int py = 0; py < pooledHeight; py++)
                        {
                            long at = source + (py * pooledWidth);
                            float* top = plane + (2 * py * outWidth);
                            int px = 0;
                            for (; px + 4 <= pooledWidth; px += 4)
                            {
                                Window.Scatter(
                                    Vector128.Load(deltaBase + at + px), Vector128.Load(pooledBase + at + px), Vector128.Load(winnerBase + at + px), top + (2 * px), outWidth);
                            }

                            for (; px < pooledWidth; px++)
                            {
                                Window.ScatterOne(deltaBase[at + px], pooledBase[at + px], winnerBase[at + px], top + (2 * px), outWidth);
                            }
                        }
                    }
                }
            }
        }
    }
}
