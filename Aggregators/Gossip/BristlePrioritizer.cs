namespace ByzantineSim.Aggregators.Gossip;

/// <summary>
/// Bristle's prioritizer (Verbraeken, de Vos, Pouwelse, "Bristle: Decentralized Federated Learning
/// in Byzantine, Non-i.i.d. Environments", 2021, arXiv 2110.11006; reference code
/// jverbraeken/trustchain-superapp, fedml/.../ai/gar/Bristle.kt, commit a505112b): the received
/// output layers are sorted by their Euclidean distance to the peer's own, cut into three equal
/// groups (near, middle, far), and N alpha-weighted draws pick round((1 - alpha)^2 N) at random
/// from the near group (exploitation), round(2 alpha (1 - alpha) N) from the middle and
/// round(alpha^2 N) from the far group (exploration); rounding is half to even, as Kotlin's
/// round. A non-finite distance sorts last. Which models are drawn depends only on the seed.
/// </summary>
public static class BristlePrioritizer
{
    /// <summary>The reference's alpha (ALPHA = 0.4). <value>0.4</value></summary>
    public const double DefaultAlpha = 0.4;

    /// <summary>The reference's N (MIN_NUMBER_MODELS_FOR_DISTANCE_SCREENING = 10). <value>10</value></summary>
    public const int DefaultCandidates = 10;

    /// <summary>How many models each group gives: (round((1-a)^2 N), round(2a(1-a) N), round(a^2 N)).</summary>
    public static (int Near, int Middle, int Far) Counts(double alpha, int candidates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(alpha, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alpha, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(candidates);
        int Round(double share) => (int)Math.Round(share * candidates, MidpointRounding.ToEven);
        return (Round((1 - alpha) * (1 - alpha)), Round(2 * alpha * (1 - alpha)), Round(alpha * alpha));
    }

    /// <summary>
    /// The rows of <paramref name="received"/> the integrator will weigh, in increasing row order.
    /// The near and far groups hold floor(m / 3) rows each, the middle one the rest (the
    /// reference's middle third, [m/3, floor(2m/3)), drops a row when 3 does not divide m).
    /// </summary>
    /// <param name="own">The peer's own output layer.</param>
    /// <param name="received">The output layers its neighbours sent, one row each.</param>
    /// <param name="alpha">The exploration share alpha in [0, 1].</param>
    /// <param name="candidates">N, the draws before groups run out.</param>
    /// <param name="seed">Seed of the draws inside each group.</param>
    public static int[] Select(ReadOnlySpan<float> own, RowMatrix received, double alpha, int candidates, ulong seed)
    {
        if (received.Columns != own.Length)
        {
            throw new AggregationException($"bristle's prioritizer needs rows of {own.Length} values, got {received.Columns}");
        }

        int m = received.Rows;
        var distances = new double[m];
        for (int r = 0; r < m; r++)
        {
            distances[r] = Distance(own, received[r]);
        }

        // Ties and non-finite distances sort by row, so the order is a function of the inputs alone.
        var order = Enumerable.Range(0, m).OrderBy(r => double.IsFinite(distances[r]) ? distances[r] : double.PositiveInfinity).ThenBy(r => r).ToArray();
        int third = m / 3;
        var (near, middle, far) = Counts(alpha, candidates);
        var random = new DeterministicRandom(seed);
        var chosen = new List<int>();
        chosen.AddRange(Draw(order.AsSpan(0, third), near, random));
        chosen.AddRange(Draw(order.AsSpan(third, m - (2 * third)), middle, random));
        chosen.AddRange(Draw(order.AsSpan(m - third, third), far, random));
        chosen.Sort();
        return [.. chosen];
    }

    /// <summary>|a - b| in double; +infinity when it is not finite.</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double delta = (double)a[k] - b[k];
            sum += delta * delta;
        }

        return double.IsFinite(sum) ? Math.Sqrt(sum) : double.PositiveInfinity;
    }

    private static int[] Draw(Span<int> group, int count, DeterministicRandom random)
    {
        var copy = group.ToArray();
        random.FisherYates(copy.AsSpan());
        return copy[..Math.Min(count, copy.Length)];
    }
}
