using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ByzantineSim.Aggregators.Numerics;

/// <summary>
/// Coordinate-wise order statistics (median, trimmed mean, mean around the median) over a subset
/// of rows. SIMD lanes are columns, and a sorting network orders every column of a block at once
/// with lane-wise min/max. Up to <see cref="CompiledNetwork{T}.MaxWires"/> rows the network runs
/// compiled to straight-line code, each vector's values in registers from load to store
/// (<see cref="CompiledNetwork{T}"/>). Wider, its first stages (sorting blocks of 16 rows) run
/// compiled block by block, and the rest is interpreted over a small scratch buffer
/// (L1-resident) holding every row's slice of the column block: each comparator is applied to all
/// the block's vectors before the next, so the processor overlaps them (one vector's whole
/// network at a time would be a chain of dependent loads and stores). All give the same bits.
/// A NaN coordinate counts as +Infinity, so with at most f non-finite values per column the
/// selected middle values are finite.
/// </summary>
/// <remarks>
/// Column blocks run in parallel; each output coordinate is computed by exactly one thread with
/// the same arithmetic, so the result does not depend on the degree of parallelism.
/// </remarks>
public static unsafe class CoordinateWise
{
    /// <summary>Vectors per column block: 16 vectors of 16 lanes = 256 columns with AVX-512.</summary>
    private const int BlockVectors = 16;

    /// <summary>Coordinate-wise median of the given rows; an even count averages the two middle values.</summary>
    public static void Median(RowMatrix inputs, ReadOnlySpan<int> rows, Span<float> destination) =>
        Run(inputs, rows, destination, new MedianStatistic(rows.Length));

    /// <summary>Per coordinate, the mean of the values left after dropping the <paramref name="trim"/> smallest and largest.</summary>
    public static void TrimmedMean(RowMatrix inputs, ReadOnlySpan<int> rows, int trim, Span<float> destination)
    {
        if (rows.Length - (2 * trim) < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(trim), trim, $"trimming {trim} from each side of {rows.Length} values leaves nothing");
        }

        Run(inputs, rows, destination, new TrimmedMeanStatistic(rows.Length, trim));
    }

    /// <summary>
    /// Per coordinate, the mean of the <paramref name="keep"/> values closest to the median; among
    /// values at exactly the same distance, one below the median is kept before one above (the
    /// lower value first), so the result depends on the values only, never on the row order.
    /// </summary>
    public static void MeanAroundMedian(RowMatrix inputs, ReadOnlySpan<int> rows, int keep, Span<float> destination)
    {
        if (keep < 1 || keep > rows.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(keep), keep, $"must be in [1, {rows.Length}]");
        }

        Run(inputs, rows, destination, new MeanAroundMedianStatistic(rows.Length, keep));
    }

    private static void Run<TStatistic>(RowMatrix inputs, ReadOnlySpan<int> rows, Span<float> destination, TStatistic statistic)
        where TStatistic : struct, IColumnStatistic
    {
        VectorMath.CheckDestination(inputs, destination);
        if (rows.Length == 0)
        {
            throw new ArgumentException("no rows to aggregate", nameof(rows));
        }

        fixed (float* data = inputs.Data)
        fixed (float* output = destination)
        {
            var job = new Job((nint)data, (nint)output, inputs.Columns, [.. rows]);
            if (Vector512.IsHardwareAccelerated)
            {
                Run<Simd512, TStatistic>(job, statistic);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                Run<Simd256, TStatistic>(job, statistic);
            }
            else
            {
                Run<Simd128, TStatistic>(job, statistic);
            }
        }
    }

    private static void Run<T, TStatistic>(Job job, TStatistic statistic)
        where T : unmanaged, ISimd<T>
        where TStatistic : struct, IColumnStatistic
    {
        int blockColumns = BlockVectors * T.Count;
        int blocks = (job.D + blockColumns - 1) / blockColumns;
        var (low, high) = statistic.Ranks;
        var plan = CompiledNetwork<T>.For(job.Rows.Length, low, high);
        var network = plan?.Network ?? SortingNetwork.Build(job.Rows.Length, low, high);
        // The sorted block, then the rows' addresses for the compiled plan (off the stack: n is unbounded).
        nuint scratchBytes = (nuint)(((long)job.Rows.Length * BlockVectors * sizeof(T)) + ((long)job.Rows.Length * sizeof(float*)));
        if ((long)job.Rows.Length * job.D < 200_000 || blocks == 1)
        {
            var scratch = (T*)NativeMemory.AlignedAlloc(scratchBytes, 64);
            try
            {
                for (int b = 0; b < blocks; b++)
                {
                    Block(job, statistic, b, scratch, plan, network);
                }
            }
            finally
            {
                NativeMemory.AlignedFree(scratch);
            }

            return;
        }

        Parallel.For(
            0,
            blocks,
            () => (nint)NativeMemory.AlignedAlloc(scratchBytes, 64),
            (b, _, scratch) =>
            {
                Block(job, statistic, b, (T*)scratch, plan, network);
                return scratch;
            },
            scratch => NativeMemory.AlignedFree((void*)scratch));
    }

    /// <summary>
    /// Computes the columns of block <paramref name="block"/>: sorted by the compiled
    /// <paramref name="plan"/> of <paramref name="network"/> when there is one and the block has no
    /// partial vector, else by interpreting <paramref name="network"/> over the scratch buffer.
    /// </summary>
    private static void Block<T, TStatistic>(Job job, TStatistic statistic, int block, T* scratch, CompiledNetwork<T>.Plan? plan, (int Low, int High)[] network)
        where T : unmanaged, ISimd<T>
        where TStatistic : struct, IColumnStatistic
    {
        var data = (float*)job.Data;
        var output = (float*)job.Output;
        int n = job.Rows.Length;
        int first = block * BlockVectors * T.Count;
        int vectors = Math.Min(BlockVectors, (job.D - first + T.Count - 1) / T.Count);
        int lastCount = job.D - first - ((vectors - 1) * T.Count);
        float* padded = stackalloc float[T.Count];
        if (plan is not null && lastCount >= T.Count)
        {
            var rows = (float**)(scratch + ((long)n * BlockVectors));
            for (int r = 0; r < n; r++)
            {
                rows[r] = data + ((long)job.Rows[r] * job.D) + first;
            }

            foreach (var kernel in plan.Kernels)
            {
                kernel(rows, scratch, vectors);
            }

            Apply(plan.Rest, scratch, vectors);
        }
        else
        {
            // Gather: scratch[r * vectors + v] = lanes of row r, columns first + v*W .. first + v*W + W - 1.
            for (int r = 0; r < n; r++)
            {
                float* row = data + ((long)job.Rows[r] * job.D) + first;
                for (int v = 0; v < vectors; v++)
                {
                    T value;
                    if (v == vectors - 1 && lastCount < T.Count)
                    {
                        new Span<float>(padded, T.Count).Clear();
                        new ReadOnlySpan<float>(row + (v * T.Count), lastCount).CopyTo(new Span<float>(padded, T.Count));
                        value = T.Load(padded);
                    }
                    else
                    {
                        value = T.Load(row + (v * T.Count));
                    }

                    scratch[(r * vectors) + v] = T.NaNToInfinity(value);
                }
            }

            Apply(network, scratch, vectors);
        }

        for (int v = 0; v < vectors; v++)
        {
            T result = statistic.Reduce(new Sorted<T>(scratch + v, vectors));
            float* target = output + first + (v * T.Count);
            if (v == vectors - 1 && lastCount < T.Count)
            {
                T.Store(result, padded);
                new ReadOnlySpan<float>(padded, lastCount).CopyTo(new Span<float>(target, lastCount));
            }
            else
            {
                T.Store(result, target);
            }
        }
    }

    /// <summary>Applies <paramref name="network"/> to the scratch buffer, each comparator to all of the block's vectors before the next.</summary>
    private static void Apply<T>((int Low, int High)[] network, T* scratch, int vectors)
        where T : unmanaged, ISimd<T>
    {
        foreach (var (low, high) in network)
        {
            T* lows = scratch + (low * vectors);
            T* highs = scratch + (high * vectors);
            for (int v = 0; v < vectors; v++)
            {
                T a = lows[v];
                T b = highs[v];
                lows[v] = T.Min(a, b);
                highs[v] = T.Max(a, b);
            }
        }
    }

    private sealed record Job(nint Data, nint Output, int D, int[] Rows);

    /// <summary>What to compute from a sorted column.</summary>
    private interface IColumnStatistic
    {
        /// <summary>The ranks the statistic reads (to prune the network).</summary>
        (int Low, int High) Ranks { get; }

        /// <summary>The statistic of the sorted lanes.</summary>
        T Reduce<T>(Sorted<T> sorted)
            where T : unmanaged, ISimd<T>;
    }

    /// <summary>A sorted column of vectors in the scratch buffer: element r at <c>First[r * Stride]</c>.</summary>
    private readonly struct Sorted<T>(T* first, int stride)
        where T : unmanaged
    {
        public T this[int rank] => first[rank * stride];
    }

    private readonly struct MedianStatistic(int n) : IColumnStatistic
    {
        public (int Low, int High) Ranks => ((n - 1) / 2, n / 2);

        public T Reduce<T>(Sorted<T> sorted)
            where T : unmanaged, ISimd<T> => Middle(sorted, n);
    }

    private readonly struct TrimmedMeanStatistic(int n, int trim) : IColumnStatistic
    {
        public (int Low, int High) Ranks => (trim, n - trim - 1);

        public T Reduce<T>(Sorted<T> sorted)
            where T : unmanaged, ISimd<T>
        {
            T sum = T.Zero;
            for (int r = trim; r < n - trim; r++)
            {
                sum = T.Add(sum, sorted[r]);
            }

            return T.Multiply(sum, T.Broadcast(1f / (n - (2 * trim))));
        }
    }

    private readonly struct MeanAroundMedianStatistic(int n, int keep) : IColumnStatistic
    {
        public (int Low, int High) Ranks => (0, n - 1);

        public T Reduce<T>(Sorted<T> sorted)
            where T : unmanaged, ISimd<T>
        {
            // The keep values closest to the median are a window of the sorted column. Window s is
            // beaten by window s + 1 exactly when the value s + 1 brings in is strictly closer to the
            // median than the value s it drops; that holds for s below the answer and fails from it
            // on (sorted values move away from the median on both sides), so the answer is the
            // number of windows beaten. A value strictly closer is never dropped for a farther one,
            // and between values at equal distance below and above the median the lower is kept
            // (the lowest of the windows that are all nearest). A NaN comparison counts as not
            // beaten, so a column of infinities stops at the lowest window.
            T median = Middle(sorted, n);
            T bestStart = T.Zero;
            T one = T.Broadcast(1f);
            for (int s = 0; s + keep < n; s++)
            {
                T dropped = T.Abs(T.Subtract(sorted[s], median));
                T added = T.Abs(T.Subtract(sorted[s + keep], median));
                bestStart = T.Add(bestStart, T.Select(T.LessThan(added, dropped), one, T.Zero));
            }

            // Starts are exact small integers in float, so lane-wise comparisons select the window.
            T sum = T.Zero;
            T end = T.Add(bestStart, T.Broadcast(keep));
            for (int r = 0; r < n; r++)
            {
                T rank = T.Broadcast(r);
                T inside = T.Select(T.LessThan(rank, bestStart), T.Zero, T.LessThan(rank, end));
                sum = T.Add(sum, T.Select(inside, sorted[r], T.Zero));
            }

            return T.Multiply(sum, T.Broadcast(1f / keep));
        }
    }

    /// <summary>The median of sorted lanes; halves are added separately so huge finite values cannot overflow.</summary>
    private static T Middle<T>(Sorted<T> sorted, int n)
        where T : unmanaged, ISimd<T>
    {
        if (n % 2 == 1)
        {
            return sorted[n / 2];
        }

        T half = T.Broadcast(0.5f);
        return T.MultiplyAdd(sorted[(n / 2) - 1], half, T.Multiply(sorted[n / 2], half));
    }
}
