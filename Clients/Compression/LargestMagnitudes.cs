namespace ByzantineSim.Clients.Compression;

/// <summary>
/// The k coordinates of largest magnitude, the same set as sorting by (magnitude descending,
/// index ascending) and taking the first k, with NaN counted as the largest; found in O(d) by a
/// quickselect of the k-th largest magnitude, since DGC keeps 0.1% of a model-sized vector every
/// round and a full sort would cost more than the gradient of a small model.
/// </summary>
public static class LargestMagnitudes
{
    /// <summary>
    /// Writes the indices of the <c>indices.Length</c> largest |x_i| of <paramref name="input"/> into
    /// <paramref name="indices"/>, ascending. The magnitudes' copy that the quickselect reorders is
    /// rented, so a call allocates nothing model-sized.
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

        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(input.Length);
        float threshold;
        try
        {
            var magnitudes = rented.AsSpan(0, input.Length);
            for (int i = 0; i < input.Length; i++)
            {
                magnitudes[i] = Magnitude(input[i]);
            }

            threshold = KthLargest(magnitudes, k);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }

        int above = 0;
        for (int i = 0; i < input.Length; i++)
        {
            above += Magnitude(input[i]) > threshold ? 1 : 0;
        }

        // Everything above the threshold, then the lowest-index ties up to k.
        int ties = k - above;
        int written = 0;
        for (int i = 0; i < input.Length && written < k; i++)
        {
            float m = Magnitude(input[i]);
            if (m > threshold || (m == threshold && ties-- > 0))
            {
                indices[written++] = i;
            }
        }
    }

    private static float Magnitude(float value) => float.IsNaN(value) ? float.PositiveInfinity : Math.Abs(value);

    /// <summary>The k-th largest value (1-based) of <paramref name="values"/>, which it reorders: a quickselect with three-way partitions, so long runs of equal values (zeros) cost one pass.</summary>
    private static float KthLargest(Span<float> values, int k)
    {
        int lo = 0;
        int hi = values.Length - 1;
        int target = values.Length - k; // position in ascending order
        while (true)
        {
            if (lo == hi)
            {
                return values[lo];
            }

            float pivot = MedianOfThree(values[lo], values[lo + ((hi - lo) / 2)], values[hi]);

            // Dutch flag: [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot.
            int lt = lo, i = lo, gt = hi;
            while (i <= gt)
            {
                float v = values[i];
                if (v < pivot)
                {
                    (values[lt], values[i]) = (values[i], values[lt]);
                    lt++;
                    i++;
                }
                else if (v > pivot)
                {
                    (values[gt], values[i]) = (values[i], values[gt]);
                    gt--;
                }
                else
                {
                    i++;
                }
            }

            if (target < lt)
            {
                hi = lt - 1;
            }
            else if (target > gt)
            {
                lo = gt + 1;
            }
            else
            {
                return pivot;
            }
        }
    }

    private static float MedianOfThree(float a, float b, float c) =>
        a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
}
