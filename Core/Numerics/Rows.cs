using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace ByzantineSim.Core.Numerics;

/// <summary>
/// Row-level building blocks shared by the kernels: norms and distances of every row, and
/// weighted sums of chosen rows. Work is split by rows or by column blocks, never by the order
/// of a sum (the fused pass cuts the row list into parts, but each part goes on from where the
/// previous one left a column's sum), so results are the same bits for any number of threads.
/// </summary>
public static unsafe partial class Rows
{
    /// <summary>Columns per block of a weighted sum: 8192 floats = 32 KB, an L1-sized accumulator.</summary>
    private const int SumBlock = 8192;

    /// <summary>How far ahead of a strip each row's lines are requested: 512 floats, eight strips (docs/PERFORMANCE.md).</summary>
    private const int StripAhead = 512;

    /// <summary>Below this many values a kernel stays on the calling thread.</summary>
    public const long ParallelThreshold = 1 << 18;

    /// <summary>
    /// Euclidean norm of every row into <paramref name="norms"/>; +Infinity for a row with a NaN or
    /// +-Inf. A finite row whose float norm overflows (values near 1e38) is measured in double,
    /// so it keeps a usable, finite-or-infinite size instead of NaN. A norm is never negative.
    /// </summary>
    public static void Norms(RowMatrix inputs, Span<double> norms) =>
        Measure(inputs, norms, nameof(norms), static (data, d, i) => Norm(new ReadOnlySpan<float>(data + ((long)i * d), d)));

    /// <summary>
    /// <paramref name="known"/> when it holds one norm per row (measured already, e.g. by each
    /// update's producer), else the rows' <see cref="Norms"/> measured now.
    /// </summary>
    public static ReadOnlySpan<double> NormsOf(RowMatrix inputs, ReadOnlySpan<double> known)
    {
        if (known.Length == inputs.Rows)
        {
            return known;
        }

        var norms = new double[inputs.Rows];
        Norms(inputs, norms);
        return norms;
    }

    /// <summary>
    /// Squared distance from row <paramref name="pivot"/> to every row (+Infinity when non-finite):
    /// <see cref="SquaredDistancesTo"/> that row. (a - b)^2 and (b - a)^2 are the same float, and a
    /// finite row is at exactly 0 from itself.
    /// </summary>
    public static void SquaredDistancesFrom(RowMatrix inputs, int pivot, Span<double> distances) =>
        SquaredDistancesTo(inputs, inputs[pivot], distances);

    /// <summary>
    /// Squared distance of every row to <paramref name="point"/>, +Infinity when non-finite: the
    /// bits of <see cref="VectorMath.SquaredDistance"/> per row, four rows at a time (four
    /// independent chains of additions), in parallel over groups of rows for large matrices.
    /// </summary>
    public static void SquaredDistancesTo(RowMatrix inputs, ReadOnlySpan<float> point, Span<double> distances)
    {
        if (point.Length != inputs.Columns)
        {
            throw new ArgumentException($"point has {point.Length} values, inputs have {inputs.Columns}", nameof(point));
        }

        if (distances.Length != inputs.Rows)
        {
            throw new ArgumentException($"need {inputs.Rows} distances, got {distances.Length}", nameof(distances));
        }

        int n = inputs.Rows, d = inputs.Columns, whole = VectorMath.WholeVectors(d);
        int groups = (n + 3) / 4;
        var sums = new Vector<float>[n];
        fixed (float* data = inputs.Data)
        fixed (float* center = point)
        fixed (Vector<float>* rowSums = sums)
        fixed (double* output = distances)
        {
            nint dataAddress = (nint)data, centerAddress = (nint)center, sumAddress = (nint)rowSums, outputAddress = (nint)output;
            void Group(int g)
            {
                int first = g * 4, count = Math.Min(4, n - first);
                Span<int> rows = [first, first + 1, first + 2, first + 3];
                VectorMath.AddSquaredDifferences((float*)dataAddress, d, rows[..count], (float*)centerAddress, whole, (Vector<float>*)sumAddress);
                var centre = new ReadOnlySpan<float>((float*)centerAddress, d);
                for (int i = first; i < first + count; i++)
                {
                    var row = new ReadOnlySpan<float>((float*)dataAddress + ((long)i * d), d);
                    ((double*)outputAddress)[i] = VectorMath.FinishSquaredDistance(((Vector<float>*)sumAddress)[i], row[whole..], centre[whole..]);
                }
            }

            if ((long)n * d < ParallelThreshold || groups == 1)
            {
                for (int g = 0; g < groups; g++)
                {
                    Group(g);
                }
            }
            else
            {
                Parallel.For(0, groups, Group);
            }
        }
    }

    /// <summary>One value per row (row i of the d-column data at the pointer), in parallel by rows.</summary>
    private delegate double RowMeasure(float* data, int d, int i);

    /// <summary>Writes <paramref name="measure"/> of every row into <paramref name="output"/> (one value per row).</summary>
    private static void Measure(RowMatrix inputs, Span<double> output, string what, RowMeasure measure)
    {
        if (output.Length != inputs.Rows)
        {
            throw new ArgumentException($"need {inputs.Rows} {what}, got {output.Length}", what);
        }

        fixed (float* data = inputs.Data)
        fixed (double* values = output)
        {
            nint dataAddress = (nint)data, outputAddress = (nint)values;
            int d = inputs.Columns;
            ForEachRow(inputs, i => ((double*)outputAddress)[i] = measure((float*)dataAddress, d, i));
        }
    }

    /// <summary>
    /// destination = scale * sum_k weights[k] x_{rows[k]} (weights empty: all 1). Callers leave
    /// out rows whose weight is zero, since 0 * Inf would be NaN.
    /// </summary>
    public static void WeightedSum(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, float scale, Span<float> destination) =>
        WeightedSum(inputs, rows, weights, scale, [], 0f, destination);

    /// <summary>
    /// destination = scale * sum_k weights[k] x_{rows[k]} + shift * addend (addend empty: no
    /// term), with the bits of the sum followed by TensorPrimitives.MultiplyAdd(addend, shift,
    /// destination, destination); each block of columns takes its term as soon as it is summed,
    /// on the core that summed it, while the block is in that core's cache.
    /// </summary>
    public static void WeightedSum(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, float scale, ReadOnlySpan<float> addend, float shift, Span<float> destination)
    {
        CheckSum(inputs, rows, weights, destination);
        CheckAddend(inputs, addend, destination);
        int d = inputs.Columns;
        int blocks = (d + SumBlock - 1) / SumBlock;
        fixed (float* data = inputs.Data)
        fixed (float* output = destination)
        fixed (float* shifted = addend)
        fixed (int* rowList = rows)
        fixed (float* weightList = weights)
        {
            var sum = new FusedSum((nint)data, d, (nint)rowList, weights.IsEmpty ? 0 : (nint)weightList, scale, addend.IsEmpty ? 0 : (nint)shifted, shift, (nint)output);
            int count = rows.Length;
            void Block(int b)
            {
                int start = b * SumBlock;
                sum.Add(0, count, last: true, start, Math.Min(d, start + SumBlock));
            }

            if ((long)count * d < ParallelThreshold || blocks == 1)
            {
                for (int b = 0; b < blocks; b++)
                {
                    Block(b);
                }
            }
            else
            {
                Parallel.For(0, blocks, Block);
            }
        }
    }

    /// <summary>
    /// The check of a weighted sum's addend: none, or one value per column, apart from the
    /// destination (a block's sum would overwrite the addend of the blocks after it).
    /// </summary>
    private static void CheckAddend(RowMatrix inputs, ReadOnlySpan<float> addend, Span<float> destination)
    {
        if (!addend.IsEmpty && addend.Length != inputs.Columns)
        {
            throw new ArgumentException($"addend has {addend.Length} values, inputs have {inputs.Columns}", nameof(addend));
        }

        if (addend.Overlaps(destination))
        {
            throw new ArgumentException("the addend overlaps the destination", nameof(addend));
        }
    }

    /// <summary>The argument checks of a weighted sum.</summary>
    private static void CheckSum(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        if (rows.Length == 0)
        {
            throw new ArgumentException("cannot combine zero rows", nameof(rows));
        }

        if (!weights.IsEmpty && weights.Length != rows.Length)
        {
            throw new ArgumentException($"{rows.Length} rows but {weights.Length} weights", nameof(weights));
        }
    }

    /// <summary>
    /// Columns [start, start + length) of <see cref="WeightedSum(RowMatrix, ReadOnlySpan{int}, ReadOnlySpan{float}, float, Span{float})"/> into the same columns of
    /// <paramref name="output"/> (weights null: all 1), over the rows rows[from..to): from 0 the
    /// sum starts afresh, else it goes on from the partial sums in <paramref name="output"/>,
    /// which the rows before <paramref name="from"/> left there. Each column's bits depend on
    /// nothing but that column, and a float stored and loaded again is the same float, so any
    /// split into column ranges or row ranges gives the same result (scale only on the last range).
    /// </summary>
    private static void SumColumns(float* data, int d, int* rows, float* weights, int from, int to, float scale, float* output, int start, int length)
    {
        int done = Vector512.IsHardwareAccelerated ? SumStrips(data + start, d, rows, weights, from, to, scale, output + start, length) : 0;
        if (done == length)
        {
            return;
        }

        var target = new Span<float>(output + start + done, length - done);
        for (int k = from; k < to; k++)
        {
            var source = new ReadOnlySpan<float>(data + ((long)rows[k] * d) + start + done, length - done);
            if (k == 0)
            {
                if (weights is not null)
                {
                    TensorPrimitives.Multiply(source, weights[0], target);
                }
                else
                {
                    source.CopyTo(target);
                }
            }
            else if (weights is not null)
            {
                TensorPrimitives.MultiplyAdd(source, weights[k], target, target);
            }
            else
            {
                TensorPrimitives.Add(source, target, target);
            }
        }

        if (scale != 1f)
        {
            TensorPrimitives.Multiply(target, scale, target);
        }
    }

    /// <summary>
    /// The weighted sum over the first columns of a block, 64 at a time in four 512-bit
    /// accumulators, all rows added while they are in registers: one pass over the rows instead
    /// of a load and store of the block per row. Per column the operations and their order are
    /// those of the row-by-row loop (t = w_0 x_0, then t = w_k x_k + t, then t * scale), so the bits
    /// are the same; rows[from..to) as in <see cref="SumColumns"/>. Returns how many columns it
    /// summed (a multiple of 64).
    /// </summary>
    private static int SumStrips(float* data, int d, int* rows, float* weights, int from, int to, float scale, float* output, int length)
    {
        const int Lanes = 16;
        int column = 0;
        for (; column + (4 * Lanes) <= length; column += 4 * Lanes)
        {
            Vector512<float> a0, a1, a2, a3;
            int k = from;
            if (from == 0)
            {
                float* first = data + ((long)rows[0] * d) + column;
                PrefetchAhead(first);
                a0 = Vector512.Load(first);
                a1 = Vector512.Load(first + Lanes);
                a2 = Vector512.Load(first + (2 * Lanes));
                a3 = Vector512.Load(first + (3 * Lanes));
                if (weights is not null)
                {
                    a0 *= weights[0];
                    a1 *= weights[0];
                    a2 *= weights[0];
                    a3 *= weights[0];
                }

                k = 1;
            }
            else
            {
                a0 = Vector512.Load(output + column);
                a1 = Vector512.Load(output + column + Lanes);
                a2 = Vector512.Load(output + column + (2 * Lanes));
                a3 = Vector512.Load(output + column + (3 * Lanes));
            }

            if (weights is null)
            {
                for (; k < to; k++)
                {
                    float* row = data + ((long)rows[k] * d) + column;
                    PrefetchAhead(row);
                    a0 = Vector512.Load(row) + a0;
                    a1 = Vector512.Load(row + Lanes) + a1;
                    a2 = Vector512.Load(row + (2 * Lanes)) + a2;
                    a3 = Vector512.Load(row + (3 * Lanes)) + a3;
                }
            }
            else
            {
                for (; k < to; k++)
                {
                    float* row = data + ((long)rows[k] * d) + column;
                    PrefetchAhead(row);
                    float w = weights[k];
                    a0 = (Vector512.Load(row) * w) + a0;
                    a1 = (Vector512.Load(row + Lanes) * w) + a1;
                    a2 = (Vector512.Load(row + (2 * Lanes)) * w) + a2;
                    a3 = (Vector512.Load(row + (3 * Lanes)) * w) + a3;
                }
            }

            if (scale != 1f)
            {
                a0 *= scale;
                a1 *= scale;
                a2 *= scale;
                a3 *= scale;
            }

            a0.Store(output + column);
            a1.Store(output + column + Lanes);
            a2.Store(output + column + (2 * Lanes));
            a3.Store(output + column + (3 * Lanes));
        }

        return column;
    }

    /// <summary>
    /// Asks for the four cache lines <see cref="StripAhead"/> floats past <paramref name="row"/>: a
    /// strip reads every row at once, more streams than the hardware prefetcher follows, so each
    /// row's next lines are requested while this strip is summed. Prefetches never fault, so the
    /// lines may lie past the block or the matrix; they change no value.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void PrefetchAhead(float* row)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + StripAhead);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + StripAhead + 16);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + StripAhead + 32);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + StripAhead + 48);
        }
    }

    /// <summary>
    /// destination = (1 / <paramref name="divisor"/>) sum_i weights[i] rows[i] in double precision,
    /// skipping rows of weight 0 (which may be non-finite), or zeros when the divisor is 0 (FoolsGold,
    /// MUD-HoG, FLTrust). The
    /// sums run over a block of columns at a time in a stack buffer, each column's in row order:
    /// no model-sized scratch.
    /// </summary>
    public static void WeightedMeanInDouble(RowMatrix inputs, ReadOnlySpan<double> weights, double divisor, Span<float> destination)
    {
        const int Block = 256;
        Span<double> sum = stackalloc double[Block];
        int d = inputs.Columns;
        for (int start = 0; start < d; start += Block)
        {
            int width = Math.Min(Block, d - start);
            var block = sum[..width];
            block.Clear();
            for (int i = 0; i < inputs.Rows; i++)
            {
                if (weights[i] == 0)
                {
                    continue;
                }

                var row = inputs[i].Slice(start, width);
                for (int k = 0; k < width; k++)
                {
                    block[k] += weights[i] * row[k];
                }
            }

            for (int k = 0; k < width; k++)
            {
                destination[start + k] = divisor == 0 ? 0f : (float)(block[k] / divisor);
            }
        }
    }

    /// <summary>Indices 0..n-1, for statistics over all rows.</summary>
    public static int[] AllRows(int n) => [.. Enumerable.Range(0, n)];

    /// <summary>destination = mean of the given rows.</summary>
    public static void Mean(RowMatrix inputs, ReadOnlySpan<int> rows, Span<float> destination) =>
        WeightedSum(inputs, rows, [], 1f / rows.Length, destination);

    /// <summary>
    /// The indices of the <paramref name="count"/> smallest values, in increasing (value, index)
    /// order: ties go to the lower index, and NaN counts as +Infinity.
    /// </summary>
    public static void Smallest(ReadOnlySpan<double> values, int count, Span<int> indices)
    {
        if (count > values.Length || indices.Length < count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"cannot pick {count} of {values.Length} values");
        }

        var keys = new (double Value, int Index)[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            keys[i] = (double.IsNaN(values[i]) ? double.PositiveInfinity : values[i], i);
        }

        Array.Sort(keys);
        for (int k = 0; k < count; k++)
        {
            indices[k] = keys[k].Index;
        }
    }

    /// <summary>Euclidean norm of one row with the conventions of <see cref="Norms"/>.</summary>
    public static double Norm(ReadOnlySpan<float> row)
    {
        float norm = TensorPrimitives.Norm(row);
        if (float.IsFinite(norm))
        {
            return norm;
        }

        if (!VectorMath.IsFinite(row))
        {
            return double.PositiveInfinity;
        }

        // Overflowed in float: scale by the largest magnitude and accumulate in double. MaxMagnitude
        // returns the signed value of that coordinate; a negative scale would make the norm
        // negative, and a rule ranking by norm would keep the row as the smallest.
        double largest = Math.Abs(TensorPrimitives.MaxMagnitude(row));
        double sum = 0;
        foreach (float value in row)
        {
            double scaled = value / largest;
            sum += scaled * scaled;
        }

        return largest * Math.Sqrt(sum);
    }

    /// <summary>Writes one output row from one input row.</summary>
    public delegate void RowMap(int index, ReadOnlySpan<float> row, Span<float> result);

    /// <summary>Applies <paramref name="map"/> to every row into the same-shaped <paramref name="output"/>, in parallel for large matrices.</summary>
    public static void Map(RowMatrix inputs, Span<float> output, RowMap map)
    {
        int d = inputs.Columns;
        if (output.Length != inputs.Rows * d)
        {
            throw new ArgumentException($"need {inputs.Rows * d} output values, got {output.Length}", nameof(output));
        }

        fixed (float* data = inputs.Data)
        fixed (float* target = output)
        {
            nint dataAddress = (nint)data, targetAddress = (nint)target;
            ForEachRow(inputs, i => map(
                i,
                new ReadOnlySpan<float>((float*)dataAddress + ((long)i * d), d),
                new Span<float>((float*)targetAddress + ((long)i * d), d)));
        }
    }

    /// <summary>Runs <paramref name="body"/> for every row index, in parallel for large matrices.</summary>
    public static void ForEachRow(RowMatrix inputs, Action<int> body)
    {
        if ((long)inputs.Rows * inputs.Columns < ParallelThreshold)
        {
            for (int i = 0; i < inputs.Rows; i++)
            {
                body(i);
            }
        }
        else
        {
            Parallel.For(0, inputs.Rows, body);
        }
    }
}
