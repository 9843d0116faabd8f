namespace ByzantineSim.Clients.Data;

/// <summary>
/// Turns 8-bit pixels into standardised float features: x = (p / 255 - mean_c) / std_c per
/// channel c, with the mean and (population) standard deviation of the training set's pixels,
/// so train and test see the same transform. The standardised value of a black pixel is what
/// a crop's padding holds (torchvision pads the image with 0 before normalising).
/// </summary>
/// <param name="Means">Per channel, the mean of p / 255 over the training set.</param>
/// <param name="Deviations">Per channel, the standard deviation of p / 255.</param>
public sealed record PixelStandardiser(ImmutableArray<double> Means, ImmutableArray<double> Deviations)
{
    /// <summary>
    /// The statistics of <paramref name="pixels"/>, samples of <paramref name="channels"/>
    /// planes of <paramref name="planeSize"/> pixels each (channel-major, as CIFAR stores them).
    /// </summary>
    public static PixelStandardiser Fit(ReadOnlySpan<byte> pixels, int channels, int planeSize)
    {
        var sums = new double[channels];
        var squares = new double[channels];
        int sampleSize = channels * planeSize;
        for (int start = 0; start < pixels.Length; start += sampleSize)
        {
            for (int c = 0; c < channels; c++)
            {
                foreach (byte b in pixels.Slice(start + (c * planeSize), planeSize))
                {
                    double x = b / 255.0;
                    sums[c] += x;
                    squares[c] += x * x;
                }
            }
        }

        double count = (double)pixels.Length / channels;
        var means = sums.Select(s => s / count).ToArray();
        var deviations = squares.Select((q, c) => Math.Sqrt(Math.Max((q / count) - (means[c] * means[c]), 1e-12))).ToArray();
        return new PixelStandardiser([.. means], [.. deviations]);
    }

    /// <summary>Per channel, the standardised value of a black (0) pixel: the padding of a random crop.</summary>
    public ImmutableArray<float> Background => [.. Means.Select((m, c) => -(float)(m / Deviations[c]))];

    /// <summary>
    /// The float each byte value becomes in each channel (channels x 256), by the expression
    /// <see cref="Apply"/> uses per pixel, so that <see cref="PixelTable"/> decodes to the same bits.
    /// </summary>
    public float[] Table()
    {
        int channels = Means.Length;
        var (scale, shift) = Coefficients();
        var table = new float[channels * 256];
        for (int c = 0; c < channels; c++)
        {
            for (int b = 0; b < 256; b++)
            {
                byte pixel = (byte)b;
                table[(c * 256) + b] = (pixel * scale[c]) - shift[c];
            }
        }

        return table;
    }

    /// <summary>Per channel, the float factors of a pixel's standardised value: p * scale - shift.</summary>
    private (float[] Scale, float[] Shift) Coefficients() =>
        ([.. Deviations.Select(d => (float)(1.0 / (255.0 * d)))], [.. Means.Select((m, c) => (float)(m / Deviations[c]))]);

    /// <summary>The standardised features of <paramref name="pixels"/> (same layout as <see cref="Fit"/>).</summary>
    public float[] Apply(ReadOnlySpan<byte> pixels, int planeSize)
    {
        int channels = Means.Length;
        var (scale, shift) = Coefficients();
        var values = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            int c = i / planeSize % channels;
            values[i] = (pixels[i] * scale[c]) - shift[c];
        }

        return values;
    }
}
