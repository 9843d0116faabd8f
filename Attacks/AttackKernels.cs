using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ByzantineSim.Attacks;

/// <summary>
/// Statistics over the honest updates that several attacks share. They walk the n x d matrix in
/// column blocks small enough that one block of every row stays in cache, so the two passes of
/// the mean/variance computation read main memory once; the per-block scratch lives on the stack,
/// so no call allocates beyond its output. Large matrices are split into column ranges computed
/// on every core (the kernels are memory-bound: one core cannot draw the machine's bandwidth).
/// Every coordinate is computed the same way whatever the block size or the split, which keeps
/// results bit-for-bit reproducible.
/// </summary>
public static class AttackKernels
{
    private const int MaxBlock = 4096;

    /// <summary>Below this many values (16 MiB) one core is faster than starting others.</summary>
    private const long ParallelThreshold = 1L << 22;

    /// <summary>A kernel over the columns [from, to) of a matrix, writing into up to two outputs.</summary>
    private delegate void ColumnKernel(RowMatrix rows, int from, int to, Span<float> first, Span<float> second);

    /// <summary>
    /// destination = scale * mean(rows), per coordinate: the rows added in row order, then
    /// multiplied by scale / n (<see cref="Rows.WeightedSum(RowMatrix, ReadOnlySpan{int}, ReadOnlySpan{float}, float, Span{float})"/>: strips of every row in registers,
    /// prefetched, on both cores).
    /// </summary>
    public static void ScaledMean(RowMatrix rows, float scale, Span<float> destination)
    {
        Check(rows, destination);
        Rows.WeightedSum(rows, Rows.AllRows(rows.Rows), [], scale / rows.Rows, destination);
    }

    /// <summary>Per-coordinate mean and sample standard deviation (ddof = 1; zero for one row).</summary>
    public static void MeanAndStd(RowMatrix rows, Span<float> mean, Span<float> std)
    {
        Check(rows, mean);
        Check(rows, std);
        OnColumns(rows, mean, std, static (matrix, from, to, m, s) =>
        {
            var sink = new CopySink(m, s);
            Moments(matrix, from, to, ref sink);
        });
    }

    /// <summary>destination = mean + factor * std per coordinate (sample std, ddof = 1), in one read of the matrix.</summary>
    public static void MeanPlusScaledStd(RowMatrix rows, float factor, Span<float> destination)
    {
        Check(rows, destination);
        OnColumns(rows, destination, [], (matrix, from, to, output, _) =>
        {
            var sink = new CombineSink(output, factor);
            Moments(matrix, from, to, ref sink);
        });
    }

    /// <summary>
    /// low = mean - factor * std and high = mean + factor * std per coordinate, in one read of the
    /// matrix: the bits of <see cref="MeanPlusScaledStd"/> with -factor and with factor.
    /// </summary>
    public static void MeanMinusAndPlusScaledStd(RowMatrix rows, float factor, Span<float> low, Span<float> high)
    {
        Check(rows, low);
        Check(rows, high);
        OnColumns(rows, low, high, (matrix, from, to, lower, upper) =>
        {
            var sink = new BoundsSink(lower, upper, factor);
            Moments(matrix, from, to, ref sink);
        });
    }

    /// <summary>Copies <paramref name="vector"/> into every row of <paramref name="output"/>.</summary>
    public static void Broadcast(ReadOnlySpan<float> vector, Span<float> output)
    {
        for (int offset = 0; offset < output.Length; offset += vector.Length)
        {
            vector.CopyTo(output.Slice(offset, vector.Length));
        }
    }

    /// <summary>Copies row 0 of <paramref name="output"/> (d values) into its other rows: all Byzantine clients send one vector.</summary>
    public static void BroadcastFirstRow(Span<float> output, int dimension)
    {
        var first = output[..dimension];
        for (int offset = dimension; offset < output.Length; offset += dimension)
        {
            first.CopyTo(output.Slice(offset, dimension));
        }
    }

    /// <summary>
    /// Column block for an n-row matrix: n blocks of 4 bytes per value fit in about 256 KiB, a
    /// size every current core's L2 holds, so the second pass over a block hits cache.
    /// </summary>
    internal static int BlockSize(int rows) => Math.Clamp((256 * 1024 / (4 * Math.Max(1, rows))) & ~63, 256, MaxBlock);

    /// <summary>
    /// max_{i &lt; j} ||x_i - x_j||^2 (+Infinity when non-finite), reading the matrix once: partial
    /// sums of every pair are accumulated block by block while the block is in cache, instead of
    /// streaming two whole rows per pair.
    /// </summary>
    public static double MaxPairwiseSquaredDistance(RowMatrix rows)
    {
        int n = rows.Rows;
        int pairs = n * (n - 1) / 2;
        if (pairs == 0)
        {
            return 0;
        }

        double[] sums = System.Buffers.ArrayPool<double>.Shared.Rent(pairs);
        try
        {
            var total = sums.AsSpan(0, pairs);
            total.Clear();
            int block = BlockSize(n);
            for (int start = 0; start < rows.Columns; start += block)
            {
                int length = Math.Min(block, rows.Columns - start);
                int pair = 0;
                for (int i = 0; i < n; i++)
                {
                    var a = rows[i].Slice(start, length);
                    for (int j = i + 1; j < n; j++)
                    {
                        total[pair++] += VectorMath.SquaredDistance(a, rows[j].Slice(start, length));
                    }
                }
            }

            double max = 0;
            foreach (double value in total)
            {
                max = double.IsNaN(value) ? double.PositiveInfinity : Math.Max(max, value);
            }

            return max;
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>Runs <paramref name="kernel"/> over all columns, split into one range per core when the matrix is large.</summary>
    private static unsafe void OnColumns(RowMatrix rows, Span<float> first, Span<float> second, ColumnKernel kernel)
    {
        int n = rows.Rows;
        int d = rows.Columns;
        int parts = Math.Min(Environment.ProcessorCount, Math.Max(1, d / MaxBlock));
        if (parts <= 1 || (long)n * d < ParallelThreshold)
        {
            kernel(rows, 0, d, first, second);
            return;
        }

        // Spans cannot cross into other threads; the pinned addresses can, and each part
        // rebuilds its views. The parts write disjoint column ranges.
        fixed (float* data = rows.Data)
        fixed (float* a = first)
        fixed (float* b = second)
        {
            nint dataAddress = (nint)data;
            nint firstAddress = (nint)a;
            nint secondAddress = (nint)b;
            int firstLength = first.Length;
            int secondLength = second.Length;
            int chunk = ((d + parts - 1) / parts + 63) & ~63;
            Parallel.For(0, parts, part =>
            {
                int from = part * chunk;
                int to = Math.Min(d, from + chunk);
                if (from < to)
                {
                    kernel(
                        new RowMatrix(new ReadOnlySpan<float>((void*)dataAddress, n * d), n, d),
                        from,
                        to,
                        new Span<float>((void*)firstAddress, firstLength),
                        new Span<float>((void*)secondAddress, secondLength));
                }
            });
        }
    }

    private static void Moments<TSink>(RowMatrix rows, int from, int to, ref TSink sink)
        where TSink : IMomentSink, allows ref struct
    {
        int n = rows.Rows;
        if (n == 0)
        {
            throw new ArgumentException("needs at least one row", nameof(rows));
        }

        int block = BlockSize(n);
        Span<float> mean = stackalloc float[block];
        Span<float> squares = stackalloc float[block];
        float inverse = 1f / n;
        float inverseDof = n > 1 ? 1f / (n - 1) : 0f;
        for (int start = from; start < to; start += block)
        {
            int length = Math.Min(block, to - start);
            var m = mean[..length];
            var s = squares[..length];
            rows[0].Slice(start, length).CopyTo(m);
            for (int i = 1; i < n; i++)
            {
                TensorPrimitives.Add(m, rows[i].Slice(start, length), m);
            }

            TensorPrimitives.Multiply(m, inverse, m);
            s.Clear();
            for (int i = 0; i < n; i++)
            {
                AddSquaredDeviation(rows[i].Slice(start, length), m, s);
            }

            TensorPrimitives.Multiply(s, inverseDof, s);
            TensorPrimitives.Sqrt(s, s);
            sink.Block(start, m, s);
        }
    }

    /// <summary>accumulator += (x - mean)^2, lane-wise.</summary>
    private static void AddSquaredDeviation(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, Span<float> accumulator)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vm = MemoryMarshal.Cast<float, Vector<float>>(mean);
            var va = MemoryMarshal.Cast<float, Vector<float>>(accumulator);
            for (int k = 0; k < vx.Length; k++)
            {
                var diff = vx[k] - vm[k];
                va[k] += diff * diff;
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            float diff = x[i] - mean[i];
            accumulator[i] += diff * diff;
        }
    }

    private static void Check(RowMatrix rows, ReadOnlySpan<float> destination)
    {
        VectorMath.CheckDestination(rows, destination);
        if (rows.Rows == 0)
        {
            throw new ArgumentException("needs at least one row", nameof(rows));
        }
    }

    private interface IMomentSink
    {
        void Block(int start, scoped ReadOnlySpan<float> mean, scoped ReadOnlySpan<float> std);
    }

    private readonly ref struct CopySink(Span<float> mean, Span<float> std) : IMomentSink
    {
        private readonly Span<float> _mean = mean;
        private readonly Span<float> _std = std;

        public void Block(int start, scoped ReadOnlySpan<float> mean, scoped ReadOnlySpan<float> std)
        {
            mean.CopyTo(_mean[start..]);
            std.CopyTo(_std[start..]);
        }
    }

    private readonly ref struct CombineSink(Span<float> destination, float factor) : IMomentSink
    {
        private readonly Span<float> _destination = destination;

        public void Block(int start, scoped ReadOnlySpan<float> mean, scoped ReadOnlySpan<float> std) =>
            TensorPrimitives.MultiplyAdd(std, factor, mean, _destination.Slice(start, mean.Length));
    }

    /// <summary>Writes mean - factor * std and mean + factor * std: a <see cref="CombineSink"/> for each.</summary>
    private readonly ref struct BoundsSink(Span<float> low, Span<float> high, float factor) : IMomentSink
    {
        private readonly CombineSink _low = new(low, -factor);
        private readonly CombineSink _high = new(high, factor);

        public void Block(int start, scoped ReadOnlySpan<float> mean, scoped ReadOnlySpan<float> std)
        {
            _low.Block(start, mean, std);
            _high.Block(start, mean, std);
        }
    }
}
