namespace ByzantineSim.Aggregators.Bucketing;

/// <summary>
/// Bucketing (Karimireddy, He, Jaggi, ICLR 2022, arXiv 2006.09365): shuffle the n inputs, cut them
/// into ceil(n / s) buckets of s (the last may be smaller) and average each bucket. The aggregator
/// after it sees ceil(n / s) inputs of which at most f are touched by Byzantine ones. The
/// permutation is drawn from the round's seed; <see cref="Apply(RowMatrix, ReadOnlySpan{int}, int, Span{float})"/>
/// is the deterministic core for a given order.
/// </summary>
public static unsafe class Bucketing
{
    /// <summary>The random order for a round: Fisher-Yates over 0..n-1 from a stream derived from <paramref name="seed"/>.</summary>
    public static int[] Permutation(int n, ulong seed)
    {
        var order = Rows.AllRows(n);
        new DeterministicRandom(Seed.Derive(seed, "bucketing")).FisherYates(order.AsSpan());
        return order;
    }

    /// <summary>Output row b = mean of inputs order[b*s .. min(n, (b+1)*s) - 1].</summary>
    public static void Apply(RowMatrix inputs, ReadOnlySpan<int> order, int bucketSize, Span<float> output)
    {
        int n = inputs.Rows;
        int d = inputs.Columns;
        int buckets = (n + bucketSize - 1) / bucketSize;
        if (order.Length != n)
        {
            throw new ArgumentException($"the order must list all {n} inputs", nameof(order));
        }

        if (output.Length != buckets * d)
        {
            throw new ArgumentException($"need {buckets * d} output values, got {output.Length}", nameof(output));
        }

        if ((long)bucketSize * d >= Rows.ParallelThreshold || (long)n * d < Rows.ParallelThreshold)
        {
            // Each bucket's mean uses every core on its own (or the whole job is small).
            for (int b = 0; b < buckets; b++)
            {
                Mean(inputs, order, bucketSize, b, output);
            }

            return;
        }

        // Buckets too small to spread over the cores one by one are spread instead: each bucket's
        // mean is the same call on whichever thread, so the bits do not change.
        fixed (float* data = inputs.Data)
        fixed (int* members = order)
        fixed (float* result = output)
        {
            nint dataAddress = (nint)data, orderAddress = (nint)members, outputAddress = (nint)result;
            Parallel.For(0, buckets, b => Mean(
                new RowMatrix(new ReadOnlySpan<float>((float*)dataAddress, n * d), n, d),
                new ReadOnlySpan<int>((int*)orderAddress, n),
                bucketSize,
                b,
                new Span<float>((float*)outputAddress, buckets * d)));
        }
    }

    /// <summary>Output row <paramref name="bucket"/>: the mean of its members in <paramref name="order"/>.</summary>
    private static void Mean(RowMatrix inputs, ReadOnlySpan<int> order, int bucketSize, int bucket, Span<float> output)
    {
        int first = bucket * bucketSize, d = inputs.Columns;
        Rows.Mean(inputs, order.Slice(first, Math.Min(bucketSize, inputs.Rows - first)), output.Slice(bucket * d, d));
    }
}
