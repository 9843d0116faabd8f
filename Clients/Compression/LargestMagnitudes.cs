namespace ByzantineSim.Clients.Compression;

/// <summary>
/// The k coordinates of largest magnitude, the same set as sorting by (magnitude descending,
/// index ascending) and taking the first k, with NaN counted as the largest (tied with the
/// infinities); found in O(d) without scratch, since DGC keeps 0.1% of a model-sized vector every
/// round and a full sort would cost more than the gradient of a small model.
/// </summary>
/// <remarks>
/// A magnitude's key is the bit pattern of |x| (NaN mapped to +Infinity's); for non-negative
/// floats these integers are in the order of the values. The k-th largest key is found digit by
/// digit, from the top: a histogram of the first 11 bits over every coordinate, then of the next
/// 11 bits over those in the chosen bucket, then of the last 9 (a radix select, as in
/// "Radix Select" of Alabi, Blanchard, Gordon and Steinbach, "Fast k-selection algorithms for
/// graphics processing units", ACM JEA 2012). Then one pass takes every key above it and the
/// lowest-index ties.
/// </remarks>
public static class LargestMagnitudes
{
    private const int InfinityKey = 0x7F800000;

    /// <summary>
    /// Writes the indices of the <c>indices.Length</c> largest |x_i| of <paramref name="input"/> into
    /// <paramref name="indices"/>, ascending. Reads the input four times and allocates nothing.
    /// </summary>
    public static void Select(ReadOnlySpan<float> input, Span<int> indices)
    {
        int k = indices.Length;
        if (k == 0)
        {
            return;
        }

        if (k > input.Length)
        {
            throw new ArgumentException($"cannot keep {k} of {input.Length} coordinates");
        }

        // Digits of the key (31 bits, the sign cleared): bits 30-20, 19-9 and 8-0.
        Span<int> counts = stackalloc int[2048];
        int above = 0, remaining = k;
        int threshold = 0;
        ReadOnlySpan<(int Shift, int Width)> digits = [(20, 11), (9, 11), (0, 9)];
        for (int level = 0; level < digits.Length; level++)
        {
            var (shift, width) = digits[level];
            int prefixShift = shift + width;
            int prefix = threshold >> prefixShift;
            int mask = (1 << width) - 1;
            var histogram = counts[..(1 << width)];
            histogram.Clear();
            for (int i = 0; i < input.Length; i++)
            {
                int key = Key(input[i]);
                if (level == 0 || key >> prefixShift == prefix)
                {
                    histogram[(key >> shift) & mask]++;
                }
            }

            // The bucket that holds the remaining-th largest key of those with this prefix.
            int bucket = histogram.Length - 1;
            while (histogram[bucket] < remaining)
            {
                remaining -= histogram[bucket];
                above += histogram[bucket];
                bucket--;
            }

            threshold |= bucket << shift;
        }

        // Everything above the threshold, then the lowest-index ties up to k.
        int ties = k - above;
        int written = 0;
        for (int i = 0; i < input.Length && written < k; i++)
        {
            int key = Key(input[i]);
            if (key > threshold || (key == threshold && ties-- > 0))
            {
                indices[written++] = i;
            }
        }
    }

    /// <summary>
    /// Copies the <paramref name="k"/> coordinates of largest magnitude of <paramref name="input"/>
    /// into the same places of <paramref name="decoded"/> (which the caller has zeroed), with the
    /// indices in a rented array.
    /// </summary>
    public static void Keep(ReadOnlySpan<float> input, int k, Span<float> decoded)
    {
        int[] rented = System.Buffers.ArrayPool<int>.Shared.Rent(k);
        try
        {
            var indices = rented.AsSpan(0, k);
            Select(input, indices);
            foreach (int i in indices)
            {
                decoded[i] = input[i];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>The bits of |value|, NaN as +Infinity: an integer in the order of the magnitudes.</summary>
    private static int Key(float value) => Math.Min(BitConverter.SingleToInt32Bits(value) & 0x7FFFFFFF, InfinityKey);
}
