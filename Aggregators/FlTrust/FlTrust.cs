namespace ByzantineSim.Aggregators.FlTrust;

/// <summary>
/// FLTrust (Cao, Fang, Liu, Gong, NDSS 2021, arXiv 2012.13995): the server computes its own
/// update g0 on a small clean root data set; each client update g_i gets the trust score
/// TS_i = ReLU(cos(g_i, g0)), is rescaled to g0's norm, and the aggregate is
/// (1 / sum_i TS_i) sum_i TS_i (||g0|| / ||g_i||) g_i.
/// Computed in double, so that a huge or tiny Byzantine row cannot overflow: a row with a
/// non-finite value, or of zero norm, gets trust 0. When every trust is 0 (or g0 is zero or
/// non-finite) the aggregate is the zero vector, the limit the paper's formula leaves open.
/// </summary>
public static class FlTrust
{
    /// <summary>Writes the aggregate into <paramref name="destination"/> and each row's trust score into <paramref name="trust"/>.</summary>
    public static void Aggregate(RowMatrix inputs, ReadOnlySpan<float> server, Span<float> destination, Span<double> trust)
    {
        VectorMath.CheckDestination(inputs, destination);
        if (server.Length != inputs.Columns)
        {
            throw new ArgumentException($"the server's update has {server.Length} values, the inputs {inputs.Columns}", nameof(server));
        }

        int n = inputs.Rows;
        int d = inputs.Columns;
        double serverNorm = Norm(server);
        Span<double> scales = n <= 256 ? stackalloc double[n] : new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            trust[i] = 0;
            scales[i] = 0;
            var row = inputs[i];
            double norm = Norm(row);
            if (!double.IsFinite(serverNorm) || serverNorm == 0 || !double.IsFinite(norm) || norm == 0)
            {
                continue;
            }

            double dot = 0;
            for (int k = 0; k < d; k++)
            {
                dot += (double)row[k] * server[k];
            }

            double cosine = Math.Clamp(dot / (norm * serverNorm), -1, 1);
            if (!(cosine > 0))
            {
                continue;
            }

            trust[i] = cosine;
            total += cosine;
            scales[i] = cosine * serverNorm / norm;
        }

        // sum_i TS_i (||g0|| / ||g_i||) g_i / sum_i TS_i, column blocks in row order.
        Rows.WeightedMeanInDouble(inputs, scales, total, destination);
    }

    /// <summary>The Euclidean norm in double (+Infinity or NaN when a value is not finite).</summary>
    private static double Norm(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float value in values)
        {
            sum += (double)value * value;
        }

        return Math.Sqrt(sum);
    }
}
