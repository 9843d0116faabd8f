using System.Numerics.Tensors;
using ByzantineSim.Aggregators.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace ByzantineSim.Aggregators.Dnc;

/// <summary>
/// Divide-and-Conquer, DnC (Shejwalkar, Houmansadr, NDSS 2021, "Manipulating the Byzantine",
/// Algorithm 2): per iteration, draw b coordinates at random, centre the subsampled rows on their
/// mean, take the top right singular vector v of the centred matrix, score each row by
/// ((x_i - mu) . v)^2 and drop the floor(c f) highest; the output is the mean of the rows every
/// iteration kept. The singular vector comes from the exact eigendecomposition of the small
/// n x n Gram matrix of the centred subsample (v = C^T u / ||C^T u||).
/// </summary>
/// <remarks>
/// Rows holding NaN or +-Inf score +Infinity: they are dropped first (and always, even beyond
/// floor(c f)) and the spectral step runs on the finite rows. Scores are ranked by comparing the
/// projections x_i . v with their mean exactly on each side of it, so a row near 1e38 that
/// dominates v does not round every other score to a tie. Ties keep the lower index.
/// </remarks>
public static class Dnc
{
    /// <summary>
    /// Sets <paramref name="kept"/>[i] to whether row i survives every iteration.
    /// </summary>
    /// <param name="inputs">The rows.</param>
    /// <param name="removed">Rows each iteration drops, floor(c f).</param>
    /// <param name="subsample">Coordinates drawn per iteration, b.</param>
    /// <param name="iterations">Independent subsamplings.</param>
    /// <param name="seed">Seed of the coordinate draws.</param>
    /// <param name="kept">n flags, written.</param>
    public static void Select(RowMatrix inputs, int removed, int subsample, int iterations, ulong seed, Span<bool> kept)
    {
        var finite = Filtering.FiniteRows(inputs);
        finite.CopyTo(kept);
        int[] candidates = Filtering.Indices(finite);
        int dropFinite = Math.Min(candidates.Length, Math.Max(0, removed - (inputs.Rows - candidates.Length)));
        if (dropFinite == 0)
        {
            return;
        }

        var random = new DeterministicRandom(seed);
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            var coordinates = Coordinates(inputs.Columns, subsample, random);
            var order = ByDecreasingScore(inputs, candidates, coordinates);
            for (int t = 0; t < dropFinite; t++)
            {
                kept[candidates[order[t]]] = false;
            }
        }
    }

    /// <summary>destination = mean of the rows every iteration kept; <paramref name="kept"/> receives them.</summary>
    public static void Aggregate(RowMatrix inputs, int removed, int subsample, int iterations, ulong seed, Span<bool> kept, Span<float> destination)
    {
        Select(inputs, removed, subsample, iterations, seed, kept);
        Filtering.Mean(inputs, Filtering.Indices(kept), [], destination, "dnc");
    }

    /// <summary>b distinct coordinates of [0, d), increasing; all of them (and no draw) when b &gt;= d.</summary>
    public static int[] Coordinates(int d, int subsample, DeterministicRandom random)
    {
        if (subsample >= d)
        {
            return [.. Enumerable.Range(0, d)];
        }

        // A partial Fisher-Yates shuffle over 0..d-1: the first b slots become a uniform
        // b-subset. The d-slot deck is scratch from the shared pool, not a fresh array per call.
        var all = System.Buffers.ArrayPool<int>.Shared.Rent(d);
        try
        {
            for (int k = 0; k < d; k++)
            {
                all[k] = k;
            }

            for (int t = 0; t < subsample; t++)
            {
                int j = t + random.Next(d - t);
                (all[t], all[j]) = (all[j], all[t]);
            }

            var chosen = all[..subsample];
            Array.Sort(chosen);
            return chosen;
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(all);
        }
    }

    /// <summary>
    /// The outlier scores' order (positions in <paramref name="rows"/>, highest score first) of the
    /// rows restricted to <paramref name="coordinates"/>.
    /// </summary>
    public static int[] ByDecreasingScore(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<int> coordinates)
    {
        int m = rows.Length;
        int b = coordinates.Length;
        var sub = new double[m * b];
        var mean = new double[b];
        for (int i = 0; i < m; i++)
        {
            var row = inputs[rows[i]];
            for (int t = 0; t < b; t++)
            {
                double value = row[coordinates[t]];
                sub[(i * b) + t] = value;
                mean[t] += value / m;
            }
        }

        var centred = new double[m * b];
        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.Subtract(sub.AsSpan(i * b, b), mean, centred.AsSpan(i * b, b));
        }

        var v = TopRightSingularVector(centred, m, b);
        var projections = new double[m];
        for (int i = 0; i < m; i++)
        {
            projections[i] = TensorPrimitives.Dot(sub.AsSpan(i * b, b), v);
        }

        double centre = projections.Sum() / m;
        var keys = new (double Distance, double Beyond, int Index)[m];
        for (int i = 0; i < m; i++)
        {
            // Same side of the centre: the exact projection orders the distances even when their
            // rounded differences tie; the lexicographic key stays a total order.
            double p = projections[i];
            keys[i] = (Math.Abs(p - centre), p <= centre ? -p : p, i);
        }

        Array.Sort(keys, (a, c) =>
            a.Distance != c.Distance ? c.Distance.CompareTo(a.Distance)
            : a.Beyond != c.Beyond ? c.Beyond.CompareTo(a.Beyond)
            : c.Index.CompareTo(a.Index));
        return [.. keys.Select(k => k.Index)];
    }

    /// <summary>
    /// The unit top right singular vector of the m x b matrix C (row-major), through the top
    /// eigenvector u of C C^T: v = C^T u / ||C^T u||. Zero when C is zero.
    /// </summary>
    public static double[] TopRightSingularVector(ReadOnlySpan<double> centred, int m, int b)
    {
        var gram = new double[m * m];
        double scale = 0;
        for (int i = 0; i < m; i++)
        {
            for (int j = i; j < m; j++)
            {
                double value = TensorPrimitives.Dot(centred.Slice(i * b, b), centred.Slice(j * b, b));
                gram[(i * m) + j] = value;
                gram[(j * m) + i] = value;
            }

            scale = Math.Max(scale, gram[(i * m) + i]);
        }

        var v = new double[b];
        if (!(scale > 0) || !double.IsFinite(scale))
        {
            return v;
        }

        // Normalised so rows near 1e38 (Gram entries near 1e80) stay well inside double's range.
        TensorPrimitives.Divide(gram, scale, gram);
        var evd = Matrix<double>.Build.Dense(m, m, gram).Evd(Symmetricity.Symmetric);
        int top = 0;
        for (int k = 1; k < m; k++)
        {
            if (evd.EigenValues[k].Real > evd.EigenValues[top].Real)
            {
                top = k;
            }
        }

        var u = evd.EigenVectors.Column(top);
        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.MultiplyAdd(centred.Slice(i * b, b), u[i], v, v);
        }

        double norm = TensorPrimitives.Norm<double>(v);
        if (norm > 0 && double.IsFinite(norm))
        {
            TensorPrimitives.Divide(v, norm, v);
        }
        else
        {
            Array.Clear(v);
        }

        return v;
    }
}
