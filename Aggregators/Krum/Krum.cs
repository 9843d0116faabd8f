using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Krum;

/// <summary>
/// Krum's kernel (Blanchard, El Mhamdi, Guerraoui, Stainer, NeurIPS 2017, arXiv 1703.02757):
/// score(i) = sum of the squared distances from x_i to its m nearest other inputs, and Krum
/// returns the input with the lowest score (ties: the lowest index). With m = n - f - 2 it is
/// (alpha, f)-Byzantine resilient for n > 2f + 2. Non-finite inputs are infinitely far from
/// everything: their scores are +Infinity, and they lose every tie against a finite input.
/// The same scores drive Multi-Krum and Bulyan's selection, so they live here.
/// </summary>
public static class Krum
{
    /// <summary>
    /// Pairwise squared distances into <paramref name="distances"/> (n x n, row-major, zero
    /// diagonal) and, if given, which rows are finite (see <see cref="Gram.SquaredDistances"/>).
    /// </summary>
    public static void PairwiseSquaredDistances(RowMatrix inputs, Span<double> distances, Span<bool> finite = default)
    {
        int n = inputs.Rows;
        if (distances.Length != n * n)
        {
            throw new ArgumentException($"need {n * n} entries for {n} inputs", nameof(distances));
        }

        Gram.SquaredDistances(inputs, distances, finite);
    }

    /// <summary>Krum scores from a pairwise distance matrix: the sum of each row's m smallest off-diagonal entries.</summary>
    public static void Scores(ReadOnlySpan<double> distances, int n, int neighbours, Span<double> scores)
    {
        if (neighbours < 1 || neighbours > n - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"must be in [1, {n - 1}] for n = {n}");
        }

        Span<bool> all = n <= 1024 ? stackalloc bool[n] : new bool[n];
        all.Fill(true);
        Scores(distances, n, all, neighbours, scores);
    }

    /// <summary>
    /// Scores among the candidates still <paramref name="active"/> only (the iterative selections of
    /// m-Krum and Bulyan); inactive entries of <paramref name="scores"/> are left untouched.
    /// </summary>
    public static void Scores(ReadOnlySpan<double> distances, int n, ReadOnlySpan<bool> active, int neighbours, Span<double> scores)
    {
        Span<double> row = n <= 1024 ? stackalloc double[n] : new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!active[i])
            {
                continue;
            }

            int k = 0;
            for (int j = 0; j < n; j++)
            {
                if (j != i && active[j])
                {
                    row[k++] = distances[(i * n) + j];
                }
            }

            var others = row[..k];
            others.Sort();
            double score = 0;
            for (int j = 0; j < Math.Min(neighbours, k); j++)
            {
                score += others[j];
            }

            scores[i] = double.IsNaN(score) ? double.PositiveInfinity : score;
        }
    }

    /// <summary>The index of the lowest score; ties go to the lowest index.</summary>
    public static int ArgMin(ReadOnlySpan<double> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
        {
            if (scores[i] < scores[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// Orders candidates by (non-finite last, score, index): an infinite score of a finite input
    /// (all its neighbours infinitely far) still beats a non-finite input.
    /// </summary>
    public static int Compare(int a, int b, ReadOnlySpan<double> scores, ReadOnlySpan<bool> finite)
    {
        if (finite[a] != finite[b])
        {
            return finite[a] ? -1 : 1;
        }

        int byScore = scores[a].CompareTo(scores[b]);
        return byScore != 0 ? byScore : a.CompareTo(b);
    }

    /// <summary>
    /// Krum applied repeatedly: pick the best-scoring remaining input, remove it, rescore with
    /// neighbours = remaining - f - 2 (at least 1), until <paramref name="selected"/> is full.
    /// This is m-Krum of the paper and the selection phase of Bulyan. Once few inputs remain the
    /// neighbour count drops to 1 and mutual nearest neighbours tie exactly; such ties go to the
    /// input with the smaller sum of distances to all remaining ones (then the lower index), which
    /// unlike the index alone does not depend on the order of the inputs.
    /// </summary>
    public static void SelectIteratively(ReadOnlySpan<double> distances, ReadOnlySpan<bool> finite, int n, int f, Span<int> selected)
    {
        Span<bool> active = n <= 1024 ? stackalloc bool[n] : new bool[n];
        active.Fill(true);
        Span<double> scores = n <= 1024 ? stackalloc double[n] : new double[n];
        Span<double> spreads = n <= 1024 ? stackalloc double[n] : new double[n];
        for (int pick = 0; pick < selected.Length; pick++)
        {
            int remaining = n - pick;
            int neighbours = Math.Clamp(remaining - f - 2, Math.Min(1, remaining - 1), remaining - 1);
            Scores(distances, n, active, neighbours, scores);
            Scores(distances, n, active, remaining - 1, spreads);
            int best = -1;
            for (int i = 0; i < n; i++)
            {
                if (!active[i])
                {
                    continue;
                }

                // Inputs are visited in index order, so keeping `best` on a full tie keeps the lower index.
                bool better = best < 0
                    || (finite[i] != finite[best] ? finite[i]
                        : scores[i] != scores[best] ? scores[i] < scores[best]
                        : spreads[i] < spreads[best]);
                if (better)
                {
                    best = i;
                }
            }

            selected[pick] = best;
            active[best] = false;
        }
    }

    /// <summary>The <paramref name="selected"/>.Length best-scoring inputs in one pass (ByzFL's Multi-Krum), best first.</summary>
    public static void SelectOnePass(ReadOnlySpan<double> scores, ReadOnlySpan<bool> finite, Span<int> selected)
    {
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var scoreCopy = scores.ToArray();
        var finiteCopy = finite.ToArray();
        Array.Sort(order, (a, b) => Compare(a, b, scoreCopy, finiteCopy));
        order.AsSpan(0, selected.Length).CopyTo(selected);
    }

    /// <summary>Selects the Krum input of <paramref name="inputs"/> with <paramref name="neighbours"/> neighbours per score.</summary>
    public static int Select(RowMatrix inputs, int neighbours)
    {
        int n = inputs.Rows;
        var distances = new double[n * n];
        var scores = new double[n];
        var finite = new bool[n];
        PairwiseSquaredDistances(inputs, distances, finite);
        Scores(distances, n, neighbours, scores);
        Span<int> best = stackalloc int[1];
        SelectOnePass(scores, finite, best);
        return best[0];
    }
}
