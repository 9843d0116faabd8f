using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.SignGuard;

/// <summary>
/// SignGuard (Xu, Huang, Song, Lan, "Byzantine-robust Federated Learning through Collaborative
/// Malicious Gradient Filtering", ICDCS 2022, arXiv 2109.05872; the authors' code
/// JianXu95/SignGuard): with M the median norm, keep the rows whose norm lies in
/// (L M, R M) and that fall in the largest mean-shift cluster of their sign statistics (the
/// fractions of positive, zero and negative values over a random block of coordinates, each
/// divided by its largest value over the rows); return the mean of the kept rows clipped to norm M.
/// </summary>
/// <remarks>
/// Rows holding NaN or +-Inf have norm +Infinity: they fail the norm test and are left out of the
/// sign statistics (the authors' code zeroes NaN coordinates first). The median is over every row.
/// </remarks>
public static class SignGuard
{
    /// <summary>
    /// The start of the block of <paramref name="length"/> coordinates, uniform over every
    /// possible block of [0, d).
    /// </summary>
    public static int BlockStart(int d, int length, DeterministicRandom random) => random.Next(d - length + 1);

    /// <summary>The block length for d coordinates: max(1, floor(fraction d)).</summary>
    public static int BlockLength(int d, double fraction) => Math.Clamp((int)(fraction * d), 1, d);

    /// <summary>
    /// The sign features of the given rows over coordinates [start, start + length): positive,
    /// zero and negative fractions, each divided by its largest value over the rows (+1e-8, as the
    /// authors' code).
    /// </summary>
    public static double[][] SignFeatures(RowMatrix inputs, ReadOnlySpan<int> rows, int start, int length)
    {
        var features = new double[rows.Length][];
        var largest = new double[3];
        for (int i = 0; i < rows.Length; i++)
        {
            int positive = 0, zero = 0, negative = 0;
            foreach (float value in inputs[rows[i]].Slice(start, length))
            {
                positive += value > 0 ? 1 : 0;
                zero += value == 0 ? 1 : 0;
                negative += value < 0 ? 1 : 0;
            }

            features[i] = [positive / (double)length, zero / (double)length, negative / (double)length];
            for (int k = 0; k < 3; k++)
            {
                largest[k] = Math.Max(largest[k], features[i][k]);
            }
        }

        foreach (var feature in features)
        {
            for (int k = 0; k < 3; k++)
            {
                feature[k] /= largest[k] + 1e-8;
            }
        }

        return features;
    }

    /// <summary>
    /// Marks the kept rows and returns the median norm M.
    /// </summary>
    /// <param name="inputs">The rows.</param>
    /// <param name="norms">Each row's norm, +Infinity when non-finite (<see cref="Rows.Norms"/>).</param>
    /// <param name="options">Bounds and sign fraction.</param>
    /// <param name="random">Draws the block of coordinates.</param>
    /// <param name="kept">n flags, written.</param>
    public static double Select(RowMatrix inputs, ReadOnlySpan<double> norms, SignGuardOptions options, DeterministicRandom random, Span<bool> kept)
    {
        double median = Filtering.Median(norms);
        int[] finite = Filtering.Indices(Filtering.FiniteRows(inputs));
        int length = BlockLength(inputs.Columns, options.SignFraction);
        int start = BlockStart(inputs.Columns, length, random);
        var features = SignFeatures(inputs, finite, start, length);
        var labels = MeanShift.Labels(features, MeanShift.Bandwidth(features, 0.5));
        int largest = MeanShift.Largest(labels);
        kept.Clear();
        for (int i = 0; i < finite.Length; i++)
        {
            double norm = norms[finite[i]];
            kept[finite[i]] = labels[i] == largest && largest >= 0
                && norm > options.LowerBound * median && norm < options.UpperBound * median;
        }

        return median;
    }

    /// <summary>destination = mean over the kept rows of x_i min(1, M / ||x_i||).</summary>
    public static void Aggregate(RowMatrix inputs, ReadOnlySpan<double> norms, double median, ReadOnlySpan<bool> kept, Span<float> destination)
    {
        int[] rows = Filtering.Indices(kept);
        var scales = new double[rows.Length];
        for (int j = 0; j < rows.Length; j++)
        {
            scales[j] = norms[rows[j]] > median ? median / norms[rows[j]] : 1.0;
        }

        Filtering.Mean(inputs, rows, scales, destination, "signguard");
    }
}
