using System.Runtime.Intrinsics;

namespace ByzantineSim.Aggregators.Numerics;

/// <summary>
/// Gram matrices and pairwise squared distances of the rows of an n x d matrix, the common core
/// of Krum, Multi-Krum, Bulyan, NNM, MDA and the geometric median. The work is n^2 d / 2
/// multiply-adds; it is laid out like a small SGEMM: d is cut into chunks short enough that the
/// chunk of every row stays in L2, and for each chunk 4 x 4 tiles of row pairs are accumulated in
/// registers, so each loaded vector feeds four fused multiply-adds. Chunk results are summed in
/// double, in chunk order.
/// </summary>
/// <remarks>
/// Determinism: every Gram entry is produced by exactly one tile, whose arithmetic depends only on
/// n and d (never on the thread that runs it or on how tiles are grouped), so the result is the
/// same bits for any degree of parallelism.
/// Non-finite rows: a row holding NaN or +-Inf, or whose squared norm overflows float (values
/// around 1e19 and beyond), gets a non-finite diagonal entry; distances from it are +Infinity.
/// </remarks>
public static unsafe class Gram
{
    /// <summary>Relative size under which a Gram-trick distance is recomputed directly (cancellation guard).</summary>
    public const double CancellationThreshold = 1e-2;

    private const int TileRows = 4;

    /// <summary>
    /// Checks that <paramref name="gram"/> holds n x n entries and zeroes it; false when there is
    /// nothing more to compute (no rows or no columns). The start of every n x n Gram kernel.
    /// </summary>
    internal static bool Start(RowMatrix inputs, Span<double> gram)
    {
        int n = inputs.Rows;
        if (gram.Length != n * n)
        {
            throw new ArgumentException($"need {n * n} entries for {n} rows, got {gram.Length}", nameof(gram));
        }

        gram.Clear();
        return n > 0 && inputs.Columns > 0;
    }

    /// <summary>Writes X X^T (n x n, row-major, symmetric) into <paramref name="gram"/>.</summary>
    public static void Compute(RowMatrix inputs, Span<double> gram)
    {
        if (!Start(inputs, gram))
        {
            return;
        }

        int n = inputs.Rows;
        int d = inputs.Columns;

        int blocks = (n + TileRows - 1) / TileRows;
        var tiles = new (int I, int J)[blocks * (blocks + 1) / 2];
        int t = 0;
        for (int bi = 0; bi < blocks; bi++)
        {
            for (int bj = bi; bj < blocks; bj++)
            {
                tiles[t++] = (bi, bj);
            }
        }

        // Below a few million multiply-adds the thread hand-off costs more than it saves.
        int parts = (double)n * n * d < 4e6 ? 1 : Environment.ProcessorCount;
        int chunk = ChunkLength(n);
        int chunks = (d + chunk - 1) / chunk;
        fixed (float* data = inputs.Data)
        fixed (double* g = gram)
        {
            var job = new Job((nint)data, (nint)g, n, d, chunk, tiles);
            if (parts == 1)
            {
                RunPart(job, 0, tiles.Length, 0, chunks, g, 0);
            }
            else if ((long)n * n * chunks <= d && chunks >= parts)
            {
                SplitChunks(job, parts, chunks);
            }
            else
            {
                parts = Math.Min(parts, tiles.Length);
                Parallel.For(0, parts, p => RunPart(job, tiles.Length * p / parts, tiles.Length * (p + 1) / parts, 0, chunks, (double*)job.Gram, 0));
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                gram[(j * n) + i] = gram[(i * n) + j];
            }
        }
    }

    /// <summary>
    /// Pairwise squared Euclidean distances (n x n, zero diagonal) by ||xi||^2 + ||xj||^2 - 2 xi.xj.
    /// Negative results of rounding are clamped to 0, and pairs whose distance is below
    /// <see cref="CancellationThreshold"/> times their squared norms (near-duplicates, where the
    /// subtraction cancels) are recomputed directly. Distances from non-finite rows are +Infinity.
    /// </summary>
    /// <param name="inputs">The rows.</param>
    /// <param name="distances">n x n output.</param>
    /// <param name="finite">
    /// Optional (empty to skip): set to whether each row is finite in the sense above (no NaN or
    /// Inf and a squared norm that fits a float), at no extra pass over the data.
    /// </param>
    /// <param name="squaredNorms">Optional (empty to skip): the rows' squared norms, the Gram diagonal.</param>
    public static void SquaredDistances(RowMatrix inputs, Span<double> distances, Span<bool> finite = default, Span<double> squaredNorms = default)
    {
        int n = inputs.Rows;
        Compute(inputs, distances);
        Span<double> norms = n <= 512 ? stackalloc double[n] : new double[n];
        for (int i = 0; i < n; i++)
        {
            norms[i] = distances[(i * n) + i];
            if (!squaredNorms.IsEmpty)
            {
                squaredNorms[i] = norms[i];
            }

            if (!finite.IsEmpty)
            {
                finite[i] = double.IsFinite(norms[i]);
            }
        }

        for (int i = 0; i < n; i++)
        {
            distances[(i * n) + i] = 0;
            for (int j = i + 1; j < n; j++)
            {
                double value = Distance(inputs, i, j, norms[i], norms[j], distances[(i * n) + j]);
                distances[(i * n) + j] = value;
                distances[(j * n) + i] = value;
            }
        }
    }

    /// <summary>True when row <paramref name="i"/> is finite according to its Gram diagonal.</summary>
    public static bool IsFiniteRow(ReadOnlySpan<double> gram, int n, int i) => double.IsFinite(gram[(i * n) + i]);

    /// <summary>The squared distance of rows i and j from their Gram entries, with the guards of <see cref="SquaredDistances"/>.</summary>
    private static double Distance(RowMatrix inputs, int i, int j, double gii, double gjj, double gij)
    {
        if (!double.IsFinite(gii) || !double.IsFinite(gjj))
        {
            return double.PositiveInfinity;
        }

        double value = gii + gjj - (2 * gij);
        if (value < CancellationThreshold * (gii + gjj))
        {
            value = VectorMath.SquaredDistance(inputs[i], inputs[j]);
        }

        return Math.Max(0, value);
    }

    /// <summary>Chunk of d such that the chunk of all n rows takes about 512 KB (half a typical L2).</summary>
    private static int ChunkLength(int n) => Math.Clamp(131_072 / n / 256 * 256, 1024, 16_384);

    /// <summary>
    /// Few rows and long ones: each core takes a run of chunks with every tile, so that it reads
    /// only its part of the matrix (split by tiles, each core would read nearly every row of every
    /// chunk). The first run adds into the Gram matrix; the others keep each chunk's sums apart,
    /// added afterwards in chunk order, so every entry has the bits of one run over all chunks.
    /// Taken only where those kept sums (n^2 per chunk) are no larger than a row.
    /// </summary>
    private static void SplitChunks(Job job, int parts, int chunks)
    {
        int n = job.N, kept = chunks / parts;
        int first = chunks - (kept * (parts - 1));
        int entries = n * n, length = entries * (chunks - first);
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(length);
        try
        {
            Array.Clear(rented, 0, length);
            fixed (double* apart = rented)
            {
                nint address = (nint)apart;
                Parallel.For(0, parts, p =>
                {
                    if (p == 0)
                    {
                        RunPart(job, 0, job.Tiles.Length, 0, first, (double*)job.Gram, 0);
                    }
                    else
                    {
                        int from = first + ((p - 1) * kept);
                        RunPart(job, 0, job.Tiles.Length, from, from + kept, (double*)address + ((long)(from - first) * entries), entries);
                    }
                });
            }

            // Chunk after chunk, as one run over all of them would have added them.
            var g = new Span<double>((double*)job.Gram, entries);
            for (int start = 0; start < length; start += entries)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(g, rented.AsSpan(start, entries), g);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Tiles [firstTile, endTile) over chunks [firstChunk, endChunk), chunk c's sums added into
    /// target + (c - firstChunk) * stride (stride 0: all into one matrix, in chunk order).
    /// </summary>
    private static void RunPart(Job job, int firstTile, int endTile, int firstChunk, int endChunk, double* target, long stride)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            RunPart<Simd512>(job, firstTile, endTile, firstChunk, endChunk, target, stride);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            RunPart<Simd256>(job, firstTile, endTile, firstChunk, endChunk, target, stride);
        }
        else
        {
            RunPart<Simd128>(job, firstTile, endTile, firstChunk, endChunk, target, stride);
        }
    }

    private static void RunPart<T>(Job job, int firstTile, int endTile, int firstChunk, int endChunk, double* target, long stride)
        where T : unmanaged, ISimd<T>
    {
        var data = (float*)job.Data;
        int n = job.N;
        for (int c = firstChunk; c < endChunk; c++)
        {
            int start = c * job.Chunk, length = Math.Min(job.Chunk, job.D - start);
            double* g = target + ((c - firstChunk) * stride);
            for (int t = firstTile; t < endTile; t++)
            {
                Tile<T>(data, g, n, job.D, job.Tiles[t].I * TileRows, job.Tiles[t].J * TileRows, start, length);
            }
        }
    }

    /// <summary>Adds the chunk [start, start + length) of the dot products of rows i0..i0+3 with j0..j0+3.</summary>
    private static void Tile<T>(float* data, double* g, int n, int d, int i0, int j0, int start, int length)
        where T : unmanaged, ISimd<T>
    {
        // Rows past n (the last, partial block) alias row n - 1; their results are discarded.
        float* a0 = data + ((long)Math.Min(i0, n - 1) * d) + start;
        float* a1 = data + ((long)Math.Min(i0 + 1, n - 1) * d) + start;
        float* a2 = data + ((long)Math.Min(i0 + 2, n - 1) * d) + start;
        float* a3 = data + ((long)Math.Min(i0 + 3, n - 1) * d) + start;
        float* b0 = data + ((long)Math.Min(j0, n - 1) * d) + start;
        float* b1 = data + ((long)Math.Min(j0 + 1, n - 1) * d) + start;
        float* b2 = data + ((long)Math.Min(j0 + 2, n - 1) * d) + start;
        float* b3 = data + ((long)Math.Min(j0 + 3, n - 1) * d) + start;
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        int k = 0;
        for (; k <= length - T.Count; k += T.Count)
        {
            T x0 = T.Load(a0 + k), x1 = T.Load(a1 + k), x2 = T.Load(a2 + k), x3 = T.Load(a3 + k);
            T y0 = T.Load(b0 + k);
            c00 = T.MultiplyAdd(x0, y0, c00);
            c10 = T.MultiplyAdd(x1, y0, c10);
            c20 = T.MultiplyAdd(x2, y0, c20);
            c30 = T.MultiplyAdd(x3, y0, c30);
            T y1 = T.Load(b1 + k);
            c01 = T.MultiplyAdd(x0, y1, c01);
            c11 = T.MultiplyAdd(x1, y1, c11);
            c21 = T.MultiplyAdd(x2, y1, c21);
            c31 = T.MultiplyAdd(x3, y1, c31);
            T y2 = T.Load(b2 + k);
            c02 = T.MultiplyAdd(x0, y2, c02);
            c12 = T.MultiplyAdd(x1, y2, c12);
            c22 = T.MultiplyAdd(x2, y2, c22);
            c32 = T.MultiplyAdd(x3, y2, c32);
            T y3 = T.Load(b3 + k);
            c03 = T.MultiplyAdd(x0, y3, c03);
            c13 = T.MultiplyAdd(x1, y3, c13);
            c23 = T.MultiplyAdd(x2, y3, c23);
            c33 = T.MultiplyAdd(x3, y3, c33);
        }

        Span<float> sums =
        [
            T.Sum(c00), T.Sum(c01), T.Sum(c02), T.Sum(c03),
            T.Sum(c10), T.Sum(c11), T.Sum(c12), T.Sum(c13),
            T.Sum(c20), T.Sum(c21), T.Sum(c22), T.Sum(c23),
            T.Sum(c30), T.Sum(c31), T.Sum(c32), T.Sum(c33),
        ];
        float** rowsA = stackalloc float*[] { a0, a1, a2, a3 };
        float** rowsB = stackalloc float*[] { b0, b1, b2, b3 };
        for (; k < length; k++)
        {
            for (int r = 0; r < TileRows; r++)
            {
                for (int c = 0; c < TileRows; c++)
                {
                    sums[(r * TileRows) + c] += rowsA[r][k] * rowsB[c][k];
                }
            }
        }

        for (int r = 0; r < TileRows && i0 + r < n; r++)
        {
            for (int c = 0; c < TileRows && j0 + c < n; c++)
            {
                g[((i0 + r) * n) + j0 + c] += sums[(r * TileRows) + c];
            }
        }
    }

    private sealed record Job(nint Data, nint Gram, int N, int D, int Chunk, (int I, int J)[] Tiles);
}
