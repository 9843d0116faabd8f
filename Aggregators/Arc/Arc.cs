namespace ByzantineSim.Aggregators.Arc;

/// <summary>
/// Adaptive robust clipping, ARC (Allouah, Guerraoui, Gupta, Jellouli, Rizk, Stephan, NeurIPS
/// 2024, arXiv 2405.14432): with k = floor(2 (f / n) (n - f)), clip the k largest-norm inputs
/// to the norm of the largest remaining one; the others pass unchanged. Rows are ranked by
/// (norm descending, index ascending). Non-finite rows have infinite norm, so they are
/// among the k clipped (k &gt;= f whenever n &gt;= 2f) and become zero vectors.
/// </summary>
public static class Arc
{
    /// <summary>The number of inputs clipped: floor(2 f (n - f) / n).</summary>
    public static int ClippedCount(int n, int f) => n == 0 ? 0 : (int)(2L * f * (n - f) / n);

    /// <summary>
    /// Writes the clipped rows (n x d) into <paramref name="output"/>; <paramref name="known"/>
    /// holds the rows' norms when they were measured already, or is empty.
    /// </summary>
    public static void Apply(RowMatrix inputs, int f, Span<float> output, ReadOnlySpan<double> known = default)
    {
        int n = inputs.Rows;
        var norms = Rows.NormsOf(inputs, known).ToArray();
        var order = Rows.AllRows(n);
        Array.Sort(order, (a, b) => norms[a] != norms[b] ? norms[b].CompareTo(norms[a]) : a.CompareTo(b));
        int k = Math.Min(ClippedCount(n, f), n - 1);
        double radius = k >= 0 && k < n ? norms[order[k]] : double.PositiveInfinity;
        var clipped = new bool[n];
        for (int r = 0; r < k; r++)
        {
            clipped[order[r]] = true;
        }

        Rows.Map(inputs, output, (i, row, result) =>
        {
            if (clipped[i])
            {
                Clipping.Clipping.ScaleTo(row, norms[i], radius, result);
            }
            else
            {
                row.CopyTo(result);
            }
        });
    }
}
