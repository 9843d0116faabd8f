namespace ByzantineSim.Aggregators.FoolsGold;

/// <summary>
/// FoolsGold's weights (Fung, Yoon, Beschastnikh, RAID 2020, arXiv 1808.04866, Algorithm 1, as
/// in the authors' code github.com/DistributedML/FoolsGold): from the clients' histories (the
/// sums of their updates so far), the pairwise cosine similarities cs_ij (i != j) and
/// v_i = max_j cs_ij; pardoning: cs_ij *= v_i / v_j when v_j > v_i; then
/// w_i = 1 - max_j cs_ij clipped to [0, 1], divided by the largest w, 1 replaced by 0.99, and
/// the logit w_i = kappa (ln(w_i / (1 - w_i)) + 0.5) clipped to [0, 1]. Sybils that push the
/// same direction round after round look alike and get weight 0.
/// </summary>
public static class FoolsGold
{
    /// <summary>
    /// The weight of each history. A history marked unusable (null: its client sent a non-finite
    /// update) takes no part in the similarities and gets weight 0. When every w is 0 before
    /// rescaling (all clients alike) the authors' code divides 0 by 0; here every weight is 0.
    /// </summary>
    public static double[] Weights(IReadOnlyList<VectorPayload?> histories, double kappa)
    {
        int n = histories.Count;
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            norms[i] = histories[i] is { } h ? Norm(h.Span) : double.NaN;
        }

        // Cosine similarities minus the identity; an unusable or zero history is similar to nobody.
        var cs = new double[n, n];
        var maxima = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double value = Usable(norms[i]) && Usable(norms[j]) ? Dot(histories[i]!.Span, histories[j]!.Span) / (norms[i] * norms[j]) : 0;
                cs[i, j] = cs[j, i] = double.IsFinite(value) ? Math.Clamp(value, -1, 1) : 0;
            }
        }

        for (int i = 0; i < n; i++)
        {
            maxima[i] = n == 1 ? 0 : Enumerable.Range(0, n).Where(j => j != i).Max(j => cs[i, j]);
        }

        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            double largest = n == 1 ? 0 : double.NegativeInfinity;
            for (int j = 0; j < n; j++)
            {
                if (j == i)
                {
                    continue;
                }

                double similarity = maxima[i] < maxima[j] ? cs[i, j] * maxima[i] / maxima[j] : cs[i, j];
                largest = Math.Max(largest, similarity);
            }

            weights[i] = histories[i] is null ? 0 : Math.Clamp(1 - largest, 0, 1);
        }

        double top = weights.Max();
        for (int i = 0; i < n; i++)
        {
            if (top <= 0 || weights[i] == 0)
            {
                weights[i] = 0;
                continue;
            }

            double w = weights[i] / top;
            w = w == 1 ? 0.99 : w;
            double logit = kappa * (Math.Log(w / (1 - w)) + 0.5);
            weights[i] = double.IsNaN(logit) ? 0 : Math.Clamp(logit, 0, 1);
        }

        return weights;
    }

    private static bool Usable(double norm) => double.IsFinite(norm) && norm > 0;

    private static double Norm(ReadOnlySpan<float> values) => Math.Sqrt(Dot(values, values));

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            sum += (double)a[k] * b[k];
        }

        return sum;
    }
}
