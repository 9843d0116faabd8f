namespace ByzantineSim.Aggregators.Monna;

/// <summary>
/// MoNNA, mean of the nearest neighbours of a trusted input (Farhadkhani, Guerraoui, Gupta, Hoang,
/// Pinot, Stephan, ICML 2023, arXiv 2209.10931; in ByzFL): with x_t trusted, return the average
/// of the n - f inputs nearest to x_t, x_t itself included (ties: lower index). Needs only the n
/// distances from x_t, one pass over the data. Non-finite inputs are infinitely far.
/// </summary>
public static class Monna
{
    /// <summary>destination = mean of the n - f inputs nearest to row <paramref name="trusted"/>.</summary>
    public static void Aggregate(RowMatrix inputs, int f, int trusted, Span<float> destination)
    {
        VectorMath.CheckDestination(inputs, destination);
        int n = inputs.Rows;
        var distances = new double[n];
        Rows.SquaredDistancesFrom(inputs, trusted, distances);
        var nearest = new int[n - f];
        Rows.Smallest(distances, n - f, nearest);
        Array.Sort(nearest);
        Rows.Mean(inputs, nearest, destination);
    }
}
