namespace ByzantineSim.Aggregators.Robustness;

/// <summary>
/// Starting configurations of <see cref="RobustnessSearch"/>, written into an n x d row-major
/// array whose first n - f rows are the honest set S and whose last f rows are Byzantine: the
/// lower-bound construction behind kappa &gt;= f / (n - 2f) (Allouah et al., AISTATS 2023, arXiv
/// 2302.01772), and Gaussian honest sets with a classic attack.
/// </summary>
public static class ExtremalInputs
{
    /// <summary>
    /// The lower-bound construction: n - f inputs at <paramref name="centre"/> and f at
    /// centre + <paramref name="offset"/>. The honest set S is the f far inputs (rows 0..f-1) with
    /// n - 2f of the centre copies; the Byzantine rows copy the centre. A rule cannot tell S from
    /// S' = the n - f centre copies, whose variance is 0, so an (f, kappa)-robust rule must return
    /// the centre, and then ||centre - mean_S||^2 = (f / (n - f))^2 ||offset||^2 against
    /// var_S = f (n - 2f) / (n - f)^2 ||offset||^2: the ratio is exactly f / (n - 2f).
    /// </summary>
    public static void LowerBound(Span<float> data, int n, int f, ReadOnlySpan<double> centre, ReadOnlySpan<double> offset)
    {
        int d = centre.Length;
        if (offset.Length != d || data.Length != n * d || 2 * f >= n)
        {
            throw new ArgumentException($"need n > 2f and an n x d array with centre and offset of length d (n = {n}, f = {f}, d = {d})");
        }

        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < d; k++)
            {
                data[(i * d) + k] = (float)(i < f ? centre[k] + offset[k] : centre[k]);
            }
        }
    }

    /// <summary>The length of the lower-bound construction's offset that gives the honest set the variance <paramref name="variance"/>.</summary>
    public static double LowerBoundOffsetLength(int n, int f, double variance) => (n - f) * Math.Sqrt(variance / (f * (double)(n - (2 * f))));

    /// <summary>
    /// Fills the honest rows with Gaussian inputs around a random centre (for heterogeneity, with
    /// a quarter of them in a far cluster when <paramref name="clustered"/>); returns their variance
    /// (1/|S|) sum ||x_i - mean||^2 and writes their mean.
    /// </summary>
    public static double GaussianHonest(DeterministicRandom random, float[] data, int honest, int d, bool clustered, double[] mean)
    {
        var centre = Enumerable.Range(0, d).Select(_ => 3 * random.NextGaussian()).ToArray();
        for (int i = 0; i < honest; i++)
        {
            double offset = clustered && i < Math.Max(1, honest / 4) ? 5 : 0;
            for (int k = 0; k < d; k++)
            {
                data[(i * d) + k] = (float)(centre[k] + offset + random.NextGaussian());
            }
        }

        return RobustnessSearch.HonestMoments(data, honest, d, mean);
    }

    /// <summary>Places the Byzantine rows by one of four classic attacks: shifted mean, copies of the farthest honest input, a little is enough, noise.</summary>
    public static void ClassicAttack(DeterministicRandom random, float[] data, int honest, int n, int d, double[] mean, double scale, int kind)
    {
        int farthest = 0;
        double farthestDistance = -1;
        var std = new double[d];
        for (int i = 0; i < honest; i++)
        {
            double distance = 0;
            for (int k = 0; k < d; k++)
            {
                double diff = data[(i * d) + k] - mean[k];
                distance += diff * diff;
                std[k] += diff * diff / Math.Max(1, honest - 1);
            }

            if (distance > farthestDistance)
            {
                farthestDistance = distance;
                farthest = i;
            }
        }

        var direction = Enumerable.Range(0, d).Select(_ => random.NextGaussian()).ToArray();
        double length = Math.Sqrt(direction.Sum(v => v * v));
        double multiple = 0.5 + (2 * random.NextDouble());
        for (int b = honest; b < n; b++)
        {
            for (int k = 0; k < d; k++)
            {
                data[(b * d) + k] = kind switch
                {
                    0 => (float)(mean[k] + (multiple * scale * direction[k] / length)),
                    1 => data[(farthest * d) + k],
                    2 => (float)(mean[k] - (1.5 * Math.Sqrt(std[k]))),
                    _ => (float)(mean[k] + (scale * random.NextGaussian() / Math.Sqrt(d))),
                };
            }
        }
    }
}
