namespace ByzantineSim.Aggregators.MultiKrum;

/// <summary>
/// Multi-Krum (Blanchard, El Mhamdi, Guerraoui, Stainer, NeurIPS 2017, arXiv 1703.02757): the
/// average of m inputs chosen by Krum scores, either the m lowest scores of one scoring (ByzFL,
/// default m = n - f) or the paper's m-Krum, which applies Krum m times and removes each winner.
/// Non-finite inputs score +Infinity and are chosen after every finite input.
/// </summary>
public static class MultiKrum
{
    /// <summary>Writes the indices of the chosen inputs (best first) into <paramref name="selected"/>.</summary>
    public static void Select(RowMatrix inputs, int f, int neighbours, bool iterative, Span<int> selected)
    {
        int n = inputs.Rows;
        var distances = new double[n * n];
        var finite = new bool[n];
        Krum.Krum.PairwiseSquaredDistances(inputs, distances, finite);
        if (iterative)
        {
            Krum.Krum.SelectIteratively(distances, finite, n, f, selected);
        }
        else
        {
            var scores = new double[n];
            Krum.Krum.Scores(distances, n, neighbours, scores);
            Krum.Krum.SelectOnePass(scores, finite, selected);
        }
    }

    /// <summary>destination = mean of the <paramref name="m"/> selected inputs.</summary>
    public static void Aggregate(RowMatrix inputs, int f, int m, int neighbours, bool iterative, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        var selected = new int[m];
        Select(inputs, f, neighbours, iterative, selected);

        // Summing in index order keeps the output independent of the order of selection.
        Array.Sort(selected);
        Rows.Mean(inputs, selected, destination);
    }
}
