using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Aggregators.Numerics;

/// <summary>
/// Steps shared by the detection-style rules (DnC, SignGuard, clipped clustering, FLAME): which
/// rows are finite, the (scaled) mean of the rows a rule keeps, and reporting the rows it drops.
/// </summary>
public static class Filtering
{
    /// <summary>Whether each row is free of NaN and +-Inf (a row of 1e38 values is finite).</summary>
    public static bool[] FiniteRows(RowMatrix inputs)
    {
        var finite = new bool[inputs.Rows];
        for (int i = 0; i < inputs.Rows; i++)
        {
            finite[i] = VectorMath.IsFinite(inputs[i]);
        }

        return finite;
    }

    /// <summary>
    /// destination = (1/k) sum_j scales[j] x_{rows[j]} over the k kept rows (scales empty: all 1),
    /// rows in increasing order. Summed in float; if that overflows (kept rows near 1e38), summed
    /// again in double, where a mean of finite floats scaled by at most 1 is always finite.
    /// </summary>
    /// <exception cref="AggregationException">No row is kept.</exception>
    public static void Mean(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<double> scales, Span<float> destination, string rule)
    {
        VectorMath.CheckDestination(inputs, destination);
        if (rows.Length == 0)
        {
            throw new AggregationException($"{rule} kept no input to average (every input was excluded)");
        }

        var weights = new float[rows.Length];
        for (int j = 0; j < rows.Length; j++)
        {
            weights[j] = (float)((scales.IsEmpty ? 1.0 : scales[j]) / rows.Length);
        }

        Rows.WeightedSum(inputs, rows, weights, 1f, destination);
        if (VectorMath.IsFinite(destination))
        {
            return;
        }

        var sum = new double[inputs.Columns];
        for (int j = 0; j < rows.Length; j++)
        {
            double weight = (scales.IsEmpty ? 1.0 : scales[j]) / rows.Length;
            var row = inputs[rows[j]];
            for (int k = 0; k < sum.Length; k++)
            {
                sum[k] += row[k] * weight;
            }
        }

        for (int k = 0; k < sum.Length; k++)
        {
            destination[k] = (float)sum[k];
        }
    }

    /// <summary>The indices i with kept[i] true, in increasing order.</summary>
    public static int[] Indices(ReadOnlySpan<bool> kept)
    {
        var indices = new List<int>(kept.Length);
        for (int i = 0; i < kept.Length; i++)
        {
            if (kept[i])
            {
                indices.Add(i);
            }
        }

        return [.. indices];
    }

    /// <summary>Flags as malicious, in increasing order, every row that <paramref name="kept"/> leaves out.</summary>
    public static void FlagExcluded(RowVerdicts? verdicts, ReadOnlySpan<bool> kept)
    {
        if (verdicts is null)
        {
            return;
        }

        for (int i = 0; i < kept.Length; i++)
        {
            if (!kept[i])
            {
                verdicts.Flag(i);
            }
        }
    }

    /// <summary>The median of the values (even count: mean of the two middle ones); NaN for none.</summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
