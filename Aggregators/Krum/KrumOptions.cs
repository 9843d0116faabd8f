namespace ByzantineSim.Aggregators.Krum;

/// <summary>Options of <see cref="KrumAggregator"/>.</summary>
/// <param name="Neighbours">
/// How many nearest other inputs enter a score. <value>null: n - f - 2, the paper's choice;
/// ByzFL uses n - f - 1.</value>
/// </param>
public sealed record KrumOptions(int? Neighbours)
{
    /// <summary>The <c>neighbours</c> option.</summary>
    public static readonly Parameter<int?> NeighboursParameter =
        Parameter.ComputedCount("neighbours", "nearest other inputs summed in a score (ByzFL uses n - f - 1)", 1, "n - f - 2");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static KrumOptions Bind(OptionsBinder binder) => new(binder.Get(NeighboursParameter));

    /// <summary>The neighbour count for n inputs and f Byzantine ones.</summary>
    public int NeighbourCount(int n, int f) => Neighbours ?? (n - f - 2);
}
