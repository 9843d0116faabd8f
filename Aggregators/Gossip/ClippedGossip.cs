namespace ByzantineSim.Aggregators.Gossip;

/// <summary>
/// ClippedGossip, the self-centred clipping gossip step of He, Karimireddy, Jaggi, "Byzantine-robust
/// decentralized learning via ClippedGossip", 2022, arXiv 2202.01545 (reference code:
/// epfml/byzantine-robust-decentralized-optimizer, codes/aggregator.py, SelfCenteredClipping):
/// x_i+ = sum_j W_ij (x_i + CLIP(x_j - x_i, tau_i)), over i itself and its neighbours, with
/// CLIP(v, tau) = v min(1, tau / |v|). With no radius given, tau_i is adaptive as in the reference:
/// the second largest of i's distances to its neighbours (the largest when it has one). Plain
/// gossip is the same step with tau = infinity. A neighbour's vector with a non-finite distance
/// contributes nothing (the reference's clip returns 0 when the norm is NaN; an infinite
/// distance is clipped to a zero step here too), so no Byzantine value makes the result non-finite.
/// </summary>
public static class ClippedGossip
{
    /// <summary>
    /// Writes peer i's mixed model into <paramref name="destination"/> and returns the radius used
    /// (+infinity when nothing was clipped: <paramref name="radius"/> = +infinity).
    /// </summary>
    /// <param name="own">x_i.</param>
    /// <param name="neighbours">x_j of each neighbour, one row each.</param>
    /// <param name="weights">W_ij of each neighbour row; i's own weight is 1 - their sum.</param>
    /// <param name="radius">A fixed tau, +infinity for plain gossip, or null for the adaptive tau.</param>
    /// <param name="destination">d floats (may not overlap the inputs).</param>
    public static double Mix(ReadOnlySpan<float> own, RowMatrix neighbours, ReadOnlySpan<double> weights, double? radius, Span<float> destination)
    {
        int d = own.Length;
        if (neighbours.Columns != d || destination.Length != d || weights.Length != neighbours.Rows)
        {
            throw new AggregationException($"clipped gossip needs d = {d} columns, {neighbours.Rows} weights and d outputs");
        }

        var distances = new double[neighbours.Rows];
        for (int j = 0; j < neighbours.Rows; j++)
        {
            distances[j] = Distance(own, neighbours[j]);
        }

        double tau = radius ?? Adaptive(distances);

        // The steps are summed in double, in a rented array: every peer mixes every round.
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(d);
        try
        {
            var sum = rented.AsSpan(0, d);
            sum.Clear();
            for (int j = 0; j < neighbours.Rows; j++)
            {
                double distance = distances[j];
                if (!double.IsFinite(distance) || distance == 0)
                {
                    continue; // a zero step: x_i + CLIP(x_j - x_i) = x_i, weighted like i itself
                }

                double scale = weights[j] * Math.Min(1.0, tau / distance);
                var row = neighbours[j];
                for (int k = 0; k < d; k++)
                {
                    sum[k] += scale * ((double)row[k] - own[k]);
                }
            }

            // sum_j W_ij (x_i + z_j) = x_i (sum_j W_ij, = 1 with i's own weight) + sum_j W_ij z_j.
            for (int k = 0; k < d; k++)
            {
                destination[k] = (float)Math.Clamp(own[k] + sum[k], -float.MaxValue, float.MaxValue); // finite whatever the neighbours sent
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }

        return tau;
    }

    /// <summary>The reference's adaptive radius: the second largest finite distance (the largest when there is one; 0 when none is finite).</summary>
    public static double Adaptive(ReadOnlySpan<double> distances)
    {
        var finite = distances.ToArray().Where(double.IsFinite).Order().ToArray();
        return finite.Length switch
        {
            0 => 0,
            1 => finite[0],
            _ => finite[^2],
        };
    }

    // In double, so that 1e38-sized differences do not overflow to infinity.
    private static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double delta = (double)b[k] - a[k];
            sum += delta * delta;
        }

        return Math.Sqrt(sum);
    }
}
