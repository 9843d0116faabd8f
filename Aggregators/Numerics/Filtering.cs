namespace ByzantineSim.Aggregators.Numerics;

/// <summary>
/// Steps shared by the detection-style rules (DnC, SignGuard, clipped clustering, FLAME): which
/// rows are finite, the (scaled) mean of the rows a rule keeps, and reporting the rows it drops;
/// and the state arrays of the stateful rules, from the run's pool when there is one.
/// </summary>
public static class Filtering
{
    /// <summary>
    /// A client's summed history extended by this round's <paramref name="row"/>: previous + row
    /// (previous ignored when absent or of another length), or null when the row is not finite or
    /// the sum overflows, so that the history stays as it was (FoolsGold's history, MUD-HoG's long HoG).
    /// The new history's array comes from <paramref name="pool"/> when one is given (the run's
    /// state pool), and goes back to it when the sum is refused.
    /// </summary>
    public static VectorPayload? ExtendHistory(VectorPayload? previous, ReadOnlySpan<float> row, PayloadPool? pool = null)
    {
        if (!VectorMath.IsFinite(row))
        {
            return null;
        }

        var values = pool?.Rent(row.Length) ?? new float[row.Length];
        var history = pool is null ? VectorPayload.TakeOwnership(values) : VectorPayload.TakeOwnership(values, pool);
        if (previous is { } old && old.Length == row.Length)
        {
            old.Span.CopyTo(values);
        }
        else
        {
            Array.Clear(values);
        }

        for (int k = 0; k < row.Length; k++)
        {
            values[k] += row[k];
        }

        if (VectorMath.IsFinite(values))
        {
            return history;
        }

        history.Release();
        return null;
    }

    /// <summary>
    /// A copy of <paramref name="values"/> in an array from <paramref name="pool"/>, or in a new
    /// one when there is no pool.
    /// </summary>
    public static VectorPayload Copy(ReadOnlySpan<float> values, PayloadPool? pool) =>
        pool is null ? VectorPayload.CopyOf(values) : VectorPayload.CopyOf(values, pool);

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
    /// destination = (1/k) sum_j scales[j] x_{rows[j]} over the k kept rows (scales empty: all 1,
    /// otherwise each at most 1), rows in increasing order; see <see cref="Combine"/>.
    /// </summary>
    /// <exception cref="AggregationException">No row is kept.</exception>
    public static void Mean(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<double> scales, Span<float> destination, string rule)
    {
        if (rows.Length == 0)
        {
            throw new AggregationException($"{rule} kept no input to average (every input was excluded)");
        }

        var weights = new double[rows.Length];
        for (int j = 0; j < rows.Length; j++)
        {
            weights[j] = (scales.IsEmpty ? 1.0 : scales[j]) / rows.Length;
        }

        Combine(inputs, rows, weights, destination);
    }

    /// <summary>
    /// destination = sum_j weights[j] x_{rows[j]} over finite rows. Summed in float; in double
    /// instead when that overflows (rows near 1e38) or a nonzero weight is too small for a float,
    /// so a combination whose exact value is finite comes out finite.
    /// </summary>
    public static void Combine(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<double> weights, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        if (rows.Length == 0)
        {
            destination.Clear();
            return;
        }

        var single = new float[rows.Length];
        bool precise = true;
        for (int j = 0; j < rows.Length; j++)
        {
            single[j] = (float)weights[j];
            precise &= weights[j] == 0 || Math.Abs(weights[j]) >= PreciseWeight;
        }

        if (precise)
        {
            Rows.WeightedSum(inputs, rows, single, 1f, destination);
            if (VectorMath.IsFinite(destination))
            {
                return;
            }
        }

        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(inputs.Columns);
        try
        {
            var sum = rented.AsSpan(0, inputs.Columns);
            sum.Clear();
            for (int j = 0; j < rows.Length; j++)
            {
                var row = inputs[rows[j]];
                for (int k = 0; k < sum.Length; k++)
                {
                    sum[k] += row[k] * weights[j];
                }
            }

            for (int k = 0; k < sum.Length; k++)
            {
                destination[k] = (float)sum[k];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The smallest weight applied in float, 2^-100: below it (a row near 1e38 clipped to a small
    /// norm) a float weight would be subnormal and keep few bits, so the sum is taken in double.
    /// </summary>
    private const double PreciseWeight = 7.888609052210118e-31;

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

    /// <summary>
    /// Cosine distances 1 - cos(x_i, x_j) (m x m, zero diagonal, clamped to [0, 2]) between the
    /// given finite rows, from their Gram matrix; a zero row has cosine 0 with everything
    /// (distance 1, as torch's eps-guarded cosine gives). Pairs involving a row whose float Gram
    /// entry overflows (values near 1e19 and beyond) are recomputed in double from rows scaled by
    /// their largest magnitude.
    /// </summary>
    public static double[] CosineDistances(RowMatrix inputs, ReadOnlySpan<int> rows)
    {
        int m = rows.Length;
        int n = inputs.Rows;

        // The Gram matrix of every row (a non-finite row's entries are ignored): copying out the
        // kept rows would cost a second n x d matrix.
        var gram = new double[n * n];
        Gram.Compute(inputs, gram);
        var overflow = new bool[m];
        for (int i = 0; i < m; i++)
        {
            overflow[i] = !double.IsFinite(gram[(rows[i] * n) + rows[i]]);
        }

        var distances = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = i + 1; j < m; j++)
            {
                double cosine = overflow[i] || overflow[j]
                    ? ScaledCosine(inputs[rows[i]], inputs[rows[j]])
                    : Cosine(gram[(rows[i] * n) + rows[j]], gram[(rows[i] * n) + rows[i]], gram[(rows[j] * n) + rows[j]]);
                double distance = Math.Clamp(1 - cosine, 0, 2);
                distances[(i * m) + j] = distance;
                distances[(j * m) + i] = distance;
            }
        }

        return distances;
    }

    private static double Cosine(double dot, double squaredA, double squaredB) =>
        squaredA > 0 && squaredB > 0 ? dot / Math.Sqrt(squaredA * squaredB) : 0;

    /// <summary>The cosine of two finite rows in double, each scaled by its largest magnitude first so no square overflows.</summary>
    private static double ScaledCosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double scaleA = Math.Abs((double)System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(a));
        double scaleB = Math.Abs((double)System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(b));
        if (scaleA == 0 || scaleB == 0)
        {
            return 0;
        }

        double dot = 0, squaredA = 0, squaredB = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double x = a[k] / scaleA, y = b[k] / scaleB;
            dot += x * y;
            squaredA += x * x;
            squaredB += y * y;
        }

        return Cosine(dot, squaredA, squaredB);
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
