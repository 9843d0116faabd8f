namespace ByzantineSim.Aggregators.MultiKrum;

/// <summary>Options of <see cref="MultiKrumAggregator"/>.</summary>
/// <param name="Selected">How many inputs are averaged, m. <value>null: n - f (ByzFL).</value></param>
/// <param name="Neighbours">Nearest other inputs summed in a score (one-pass variant). <value>null: n - f - 2, the paper's; ByzFL uses n - f - 1.</value></param>
/// <param name="Iterative">
/// Select by repeated Krum (pick, remove, rescore), as the paper's m-Krum, instead of taking the m
/// best scores of one scoring. <value>false: one pass (ByzFL).</value>
/// </param>
public sealed record MultiKrumOptions(int? Selected, int? Neighbours, bool Iterative)
{
    /// <summary>The <c>m</c> option.</summary>
    public static readonly Parameter<int?> SelectedParameter = Parameter.ComputedCount("m", "inputs averaged", 1, "n - f");

    /// <summary>The <c>neighbours</c> option.</summary>
    public static readonly Parameter<int?> NeighboursParameter = Parameter.ComputedCount(
        "neighbours", "nearest other inputs summed in a score (one-pass; iterative rescoring uses remaining - f - 2)", 1, "n - f - 2");

    /// <summary>The <c>variant</c> option.</summary>
    public static readonly Parameter<string> VariantParameter = new(
        "variant",
        "one-pass",
        "one-pass: the m best scores (ByzFL); iterative: repeated Krum with removal (the paper's m-Krum)",
        Choices: ["one-pass", "iterative"]);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static MultiKrumOptions Bind(OptionsBinder binder) => new(
        binder.Get(SelectedParameter),
        binder.Get(NeighboursParameter),
        binder.Get(VariantParameter) == "iterative");

    /// <summary>m for n inputs and f Byzantine ones.</summary>
    public int SelectedCount(int n, int f) => Selected ?? (n - f);

    /// <summary>The neighbour count for n inputs and f Byzantine ones.</summary>
    public int NeighbourCount(int n, int f) => Neighbours ?? (n - f - 2);
}
