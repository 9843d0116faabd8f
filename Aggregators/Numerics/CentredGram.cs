using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace ByzantineSim.Aggregators.Numerics;

/// <summary>
/// The n x n Gram matrix of the rows after subtracting their coordinate-wise median, and the
/// symmetric eigen-solves on it that SMEA and CAF need: every covariance of a (weighted) subset of
/// rows has the same non-zero eigenvalues as a small matrix built from these n^2 inner products, so
/// the d-dimensional work is done once. Any common shift cancels from centred quantities; the
/// median is subtracted first so that the float products inside <see cref="Gram.Compute"/> carry
/// the rows' spread, not their common offset (offset rows would lose digits to cancellation).
/// A row with a NaN or an infinity, or whose centred squared norm overflows, has a non-finite
/// diagonal entry: <see cref="IsFinite"/> tells the rules to leave it out.
/// </summary>
public static class CentredGram
{
    /// <summary>Columns per chunk: the centred chunk of every row (n x 8192 floats) stays cache-sized.</summary>
    private const int ChunkColumns = 8192;

    /// <summary>Writes (x_i - m) . (x_j - m), m the coordinate-wise median, into <paramref name="gram"/> (n x n, row-major).</summary>
    public static void Compute(RowMatrix inputs, Span<double> gram)
    {
        if (!Gram.Start(inputs, gram))
        {
            return;
        }

        int n = inputs.Rows;
        int d = inputs.Columns;

        // The median and the centred chunk are rented, so that a call allocates nothing model-sized.
        var pool = System.Buffers.ArrayPool<float>.Shared;
        var centre = pool.Rent(d);
        var scratch = pool.Rent(n * Math.Min(d, ChunkColumns));
        try
        {
            CoordinateWise.Median(inputs, Rows.AllRows(n), centre.AsSpan(0, d));
            var part = new double[n * n];
            for (int start = 0; start < d; start += ChunkColumns)
            {
                int width = Math.Min(ChunkColumns, d - start);
                var chunk = scratch.AsSpan(0, n * width);
                for (int i = 0; i < n; i++)
                {
                    TensorPrimitives.Subtract(inputs[i].Slice(start, width), centre.AsSpan(start, width), chunk.Slice(i * width, width));
                }

                Gram.Compute(new RowMatrix(chunk, n, width), part);
                TensorPrimitives.Add(gram, part, gram);
            }
        }
        finally
        {
            pool.Return(centre);
            pool.Return(scratch);
        }
    }

    /// <summary>True when row <paramref name="i"/> is usable: its centred squared norm is finite.</summary>
    public static bool IsFinite(ReadOnlySpan<double> gram, int n, int i) => double.IsFinite(gram[(i * n) + i]);

    /// <summary>
    /// The largest eigenvalue of the symmetric <paramref name="size"/> x <paramref name="size"/>
    /// matrix <paramref name="matrix"/> (row-major) and its unit eigenvector, by a full symmetric
    /// eigen-decomposition (Math.NET's managed solver): exact to rounding, deterministic, and
    /// unaffected by how close the second eigenvalue is (power iteration would slow down there).
    /// </summary>
    public static double LargestEigen(ReadOnlySpan<double> matrix, int size, Span<double> vector)
    {
        if (size == 1)
        {
            vector[0] = 1;
            return matrix[0];
        }

        var m = Matrix<double>.Build.Dense(size, size);
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++)
            {
                m[i, j] = matrix[(i * size) + j];
            }
        }

        var evd = m.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues;
        int top = 0;
        for (int k = 1; k < size; k++)
        {
            if (values[k].Real > values[top].Real)
            {
                top = k;
            }
        }

        for (int i = 0; i < size; i++)
        {
            vector[i] = evd.EigenVectors[i, top];
        }

        return values[top].Real;
    }
}
