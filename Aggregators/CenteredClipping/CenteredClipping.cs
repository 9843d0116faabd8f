namespace ByzantineSim.Aggregators.CenteredClipping;

/// <summary>
/// Centered clipping (Karimireddy, He, Jaggi, ICML 2021, arXiv 2012.10333): starting from the
/// previous round's aggregate v, repeat L times
/// v &lt;- v + (1/n) sum_i (x_i - v) min(1, tau / ||x_i - v||).
/// Each iteration moves v by at most tau. An input at infinite or undefined distance (NaN,
/// Inf, overflow) is clipped to nothing: it contributes zero but still counts in 1/n.
/// </summary>
public static class CenteredClipping
{
    /// <summary>
    /// Runs <paramref name="iterations"/> clipping steps from <paramref name="center"/> (empty: from
    /// zero, the first round's centre) into <paramref name="destination"/>. The iterations alternate
    /// between the destination and a rented spare, so a call allocates nothing model-sized and
    /// copies v at most once. <paramref name="measured"/> holds the
    /// rows' <see cref="SquaredDistance"/> to <paramref name="center"/> when they were measured
    /// already (as each update arrived), and then the first iteration does not measure them again;
    /// it is ignored unless it has one value per row. An iteration that has a next one takes the
    /// next one's distances, to the v it computes, in the same pass over the rows as its sum
    /// (<see cref="Rows.WeightedSumAndDistances"/>, the same bits as measuring them apart).
    /// </summary>
    public static void Aggregate(RowMatrix inputs, ReadOnlySpan<float> center, double tau, int iterations, Span<float> destination, ReadOnlySpan<double> measured = default)
    {
        VectorMath.CheckDestination(inputs, destination);
        if (!center.IsEmpty && center.Length != inputs.Columns)
        {
            throw new ArgumentException($"centre has {center.Length} values, inputs have {inputs.Columns}", nameof(center));
        }

        // The first iteration reads v from the centre itself; a centre that overlaps the
        // destination, or none (zero), is copied there first.
        bool fromCenter = !center.IsEmpty && !center.Overlaps(destination);
        if (center.IsEmpty)
        {
            destination.Clear();
        }
        else if (!fromCenter)
        {
            center.CopyTo(destination);
        }

        var rented = System.Buffers.ArrayPool<float>.Shared.Rent(inputs.Columns);
        try
        {
            Iterate(inputs, tau, iterations, fromCenter ? center : [], destination, rented.AsSpan(0, inputs.Columns), measured.Length == inputs.Rows ? measured : []);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The iterations from <paramref name="start"/>, or, when it is empty, from the v in
    /// <paramref name="destination"/>. Each iteration reads v where the last one wrote it and
    /// writes the next v into the other of <paramref name="destination"/> and
    /// <paramref name="spare"/>, choosing the one that leaves the last v in the destination when
    /// every iteration moves; otherwise the last v is copied there once at the end.
    /// </summary>
    private static void Iterate(RowMatrix inputs, double tau, int iterations, ReadOnlySpan<float> start, Span<float> destination, Span<float> spare, ReadOnlySpan<double> measured)
    {
        int n = inputs.Rows;
        var distances = new double[n];
        var rows = new List<int>(n);
        var weights = new List<float>(n);
        bool measuredNext = false;
        ReadOnlySpan<float> v = start.IsEmpty ? destination : start;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            if (iteration == 0 && !measured.IsEmpty)
            {
                measured.CopyTo(distances);
            }
            else if (!measuredNext)
            {
                Rows.SquaredDistancesTo(inputs, v, distances);
            }

            rows.Clear();
            weights.Clear();
            double kept = 0;
            for (int i = 0; i < n; i++)
            {
                double distance = Math.Sqrt(distances[i]);
                if (!double.IsFinite(distance) || distance == 0)
                {
                    continue;
                }

                double weight = Math.Min(1.0, tau / distance);
                rows.Add(i);
                weights.Add((float)(weight / n));
                kept += weight;
            }

            // v + (1/n) sum_i w_i (x_i - v) = (1/n) sum_i w_i x_i + (1 - sum_i w_i / n) v. With no
            // row kept v stays, and so do the distances to it.
            if (rows.Count == 0)
            {
                measuredNext = true;
                continue;
            }

            // The destination takes this v when an even number of iterations follow it, the spare
            // when an odd number do, unless v is read from there.
            bool toDestination = (iterations - 1 - iteration) % 2 == 0;
            if (v.Overlaps(toDestination ? destination : spare))
            {
                toDestination = !toDestination;
            }

            Span<float> next = toDestination ? destination : spare;
            float shift = (float)(1.0 - (kept / n));
            measuredNext = iteration + 1 < iterations;
            if (measuredNext)
            {
                // The next iteration's distances to the new v, taken in the same pass over the rows.
                Rows.WeightedSumAndDistances(inputs, [.. rows], [.. weights], 1f, v, shift, next, distances);
            }
            else
            {
                Rows.WeightedSum(inputs, [.. rows], [.. weights], 1f, v, shift, next);
            }

            v = next;
        }

        if (!v.Overlaps(destination))
        {
            v.CopyTo(destination);
        }
    }

    /// <summary>The squared distance of one row to the centre as an iteration measures it (+Infinity when non-finite).</summary>
    public static double SquaredDistance(ReadOnlySpan<float> row, ReadOnlySpan<float> center) => VectorMath.SquaredDistance(row, center);
}
