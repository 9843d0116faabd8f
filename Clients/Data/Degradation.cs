namespace ByzantineSim.Clients.Data;

/// <summary>How an unreliable (benign, low-quality) client's data is degraded.</summary>
public enum DegradationKind
{
    /// <summary>Gaussian blur of each image plane, standard deviation <see cref="Degradation.Level"/> pixels.</summary>
    Blur,

    /// <summary>Block averaging by an integer factor <see cref="Degradation.Level"/>, then back to full size by repetition (low resolution).</summary>
    Downsample,

    /// <summary>Additive Gaussian pixel noise, standard deviation <see cref="Degradation.Level"/> times the data's feature range.</summary>
    Noise,

    /// <summary>A share <see cref="Degradation.Level"/> of the client's samples carry a label drawn uniformly from all classes.</summary>
    Labels,
}

/// <summary>
/// The degradation of an unreliable client's training data (MUD-HoG's "unreliable clients",
/// Gupta, Luo, Ngo, Das, arXiv 2208.10273, whose reference code blurs the images of such clients).
/// Applied to a sample as it is copied into a batch, never to the shared data set, and a pure
/// function of (sample, client seed): a client holds the same low-quality copy of a sample in
/// every round. <see cref="DegradationKind.Labels"/> acts on labels through the client's
/// replacement labels (<see cref="RandomLabels"/>), not on pixels.
/// </summary>
/// <param name="Kind">The degradation.</param>
/// <param name="Level">Its strength: blur sigma in pixels, downsampling factor, noise standard deviation (share of the feature range), or share of random labels.</param>
/// <param name="Seed">The client's degradation stream (noise and labels draw from it).</param>
public sealed record Degradation(DegradationKind Kind, double Level, ulong Seed)
{
    /// <summary>True when the degradation changes pixels (every kind but <see cref="DegradationKind.Labels"/>).</summary>
    public bool ChangesPixels => Kind != DegradationKind.Labels;

    /// <summary>Why samples of <paramref name="shape"/> cannot take <paramref name="kind"/>, or null (pixel kinds need images).</summary>
    public static string? Problem(DegradationKind kind, ImmutableArray<int> shape) =>
        kind is DegradationKind.Blur or DegradationKind.Downsample && shape.Length != 3
            ? $"{kind.ToString().ToLowerInvariant()} needs image samples [channels, height, width]; the data's samples have shape [{string.Join(", ", shape)}]"
            : null;

    /// <summary>
    /// Degrades <paramref name="sample"/> (sample <paramref name="index"/> of the data set, of
    /// <paramref name="shape"/>) in place; <paramref name="low"/> and <paramref name="high"/> are the
    /// data's feature range (noise scale and clipping bounds).
    /// </summary>
    public void Apply(Span<float> sample, int index, ImmutableArray<int> shape, float low, float high)
    {
        switch (Kind)
        {
            case DegradationKind.Blur:
                Blur(sample, shape, Level);
                break;
            case DegradationKind.Downsample:
                Downsample(sample, shape, (int)Level);
                break;
            case DegradationKind.Noise:
                var random = new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "pixel-noise", index));
                float scale = (float)Level * (high - low);
                for (int i = 0; i < sample.Length; i++)
                {
                    sample[i] = Math.Clamp(sample[i] + (scale * (float)random.NextGaussian()), low, high);
                }

                break;
            case DegradationKind.Labels:
                break;
        }
    }

    /// <summary>
    /// Replacement labels of <see cref="DegradationKind.Labels"/>: a share <see cref="Level"/> of
    /// <paramref name="samples"/>, drawn at random, gets a label uniform over all
    /// <paramref name="classes"/> (so it may keep its true one); empty for other kinds.
    /// </summary>
    public ImmutableDictionary<int, int> RandomLabels(ImmutableArray<int> samples, int classes)
    {
        if (Kind != DegradationKind.Labels || classes < 2)
        {
            return ImmutableDictionary<int, int>.Empty;
        }

        var random = new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "random-labels"));
        var order = samples.ToArray();
        random.FisherYates(order.AsSpan());
        var labels = ImmutableDictionary.CreateBuilder<int, int>();
        foreach (int sample in order.AsSpan(0, (int)Math.Round(Level * order.Length)))
        {
            labels[sample] = random.Next(classes);
        }

        return labels.ToImmutable();
    }

    /// <summary>
    /// Separable Gaussian blur of every channel: weights exp(-k^2 / (2 sigma^2)) for
    /// |k| &lt;= ceil(3 sigma), normalised to sum 1, edges repeated (replicate padding), rows first.
    /// </summary>
    public static void Blur(Span<float> sample, ImmutableArray<int> shape, double sigma)
    {
        int channels = shape[0], height = shape[1], width = shape[2];
        int radius = (int)Math.Ceiling(3 * sigma);
        var weights = new double[(2 * radius) + 1];
        for (int k = -radius; k <= radius; k++)
        {
            weights[k + radius] = Math.Exp(-(k * k) / (2 * sigma * sigma));
        }

        double total = weights.Sum();
        var line = new float[Math.Max(height, width)];
        for (int c = 0; c < channels; c++)
        {
            var plane = sample.Slice(c * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                Convolve(plane, y * width, 1, width, weights, total, line);
            }

            for (int x = 0; x < width; x++)
            {
                Convolve(plane, x, width, height, weights, total, line);
            }
        }
    }

    /// <summary>Convolves the <paramref name="count"/> values at <paramref name="start"/> + i * <paramref name="stride"/> in place.</summary>
    private static void Convolve(Span<float> plane, int start, int stride, int count, double[] weights, double total, float[] line)
    {
        int radius = weights.Length / 2;
        if (count == 1)
        {
            return; // one value between replicated edges stays itself (skipping it avoids a rounding of v * sum(w) / sum(w))
        }

        for (int i = 0; i < count; i++)
        {
            line[i] = plane[start + (i * stride)];
        }

        for (int i = 0; i < count; i++)
        {
            double sum = 0;
            for (int k = -radius; k <= radius; k++)
            {
                sum += weights[k + radius] * line[Math.Clamp(i + k, 0, count - 1)];
            }

            plane[start + (i * stride)] = (float)(sum / total);
        }
    }

    /// <summary>
    /// Low resolution: each <paramref name="factor"/> x <paramref name="factor"/> block of every
    /// channel (smaller at the right and bottom edges) is replaced by its mean.
    /// </summary>
    public static void Downsample(Span<float> sample, ImmutableArray<int> shape, int factor)
    {
        int channels = shape[0], height = shape[1], width = shape[2];
        for (int c = 0; c < channels; c++)
        {
            var plane = sample.Slice(c * height * width, height * width);
            for (int top = 0; top < height; top += factor)
            {
                for (int left = 0; left < width; left += factor)
                {
                    int bottom = Math.Min(top + factor, height), right = Math.Min(left + factor, width);
                    double sum = 0;
                    for (int y = top; y < bottom; y++)
                    {
                        for (int x = left; x < right; x++)
                        {
                            sum += plane[(y * width) + x];
                        }
                    }

                    float mean = (float)(sum / ((bottom - top) * (right - left)));
                    for (int y = top; y < bottom; y++)
                    {
                        plane.Slice((y * width) + left, right - left).Fill(mean);
                    }
                }
            }
        }
    }
}
