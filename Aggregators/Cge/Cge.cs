namespace ByzantineSim.Aggregators.Cge;

/// <summary>
/// Comparative gradient elimination (Gupta, Liu, Vaidya, 2020, arXiv 2008.04699): sort the
/// inputs by Euclidean norm (a non-finite input has norm +Infinity), keep the n - f smallest
/// and combine them. O(nd + n log n).
/// </summary>
public static class Cge
{
    /// <summary>
    /// Writes into <paramref name="kept"/> (length n - f) the indices of the n - f smallest-norm
    /// inputs, in increasing norm; equal norms keep index order. <paramref name="known"/> holds the
    /// rows' norms when they were measured already (<see cref="AggregationContext.RowNorms"/>), or
    /// is empty and they are measured here.
    /// </summary>
    public static void SmallestNorms(RowMatrix inputs, int f, Span<int> kept, ReadOnlySpan<double> known = default)
    {
        int n = inputs.Rows;
        if (kept.Length != n - f)
        {
            throw new ArgumentException($"expected room for {n - f} indices", nameof(kept));
        }

        Rows.Smallest(Rows.NormsOf(inputs, known), n - f, kept);
    }

    /// <summary>destination = mean (or sum) of the n - f smallest-norm inputs (norms as in <see cref="SmallestNorms"/>).</summary>
    public static void Aggregate(RowMatrix inputs, int f, bool sum, Span<float> destination, ReadOnlySpan<double> known = default)
    {
        var kept = new int[inputs.Rows - f];
        SmallestNorms(inputs, f, kept, known);

        // Summing in index order makes the result independent of the order of the inputs' norms.
        Array.Sort(kept);
        VectorMath.MeanOfRows(inputs, kept, destination);
        if (sum)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(destination, kept.Length, destination);
        }
    }
}
