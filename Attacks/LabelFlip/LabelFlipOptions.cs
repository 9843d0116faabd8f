namespace ByzantineSim.Attacks.LabelFlip;

/// <summary>Options of the <c>label-permutation</c> attack (<c>label-flip</c> takes none).</summary>
/// <param name="Map">Poisoned label of each class, a permutation of 0 .. classes - 1. <value>empty: use <paramref name="Shift"/></value></param>
/// <param name="Shift">Without a map, y -> (y + shift) mod classes. <value>1</value></param>
public sealed record LabelPermutationOptions(ImmutableArray<int> Map, int Shift)
{
    /// <summary>The <c>map</c> option.</summary>
    public static readonly Parameter<ImmutableArray<int>> MapParameter = new(
        "map", [], "poisoned label of each class, e.g. [1, 0, 3, 2]: a permutation of 0 .. classes-1", DefaultDescription: "none (use shift)");

    /// <summary>The <c>shift</c> option.</summary>
    public static readonly Parameter<int> ShiftParameter = new(
        "shift", 1, "without a map: y -> (y + shift) mod classes", value => value >= 1 ? null : "must be >= 1");

    /// <summary>Binds the options and resolves the label map for the data set's number of classes (null when invalid).</summary>
    public static LabelMap? Bind(OptionsBinder binder, AttackPopulation population)
    {
        var options = new LabelPermutationOptions(binder.Get(MapParameter), binder.Get(ShiftParameter));
        if (!binder.Has(MapParameter.Name))
        {
            return LabelFlipAttack.RequireClasses(binder, population)
                ? new LabelMap([.. Enumerable.Range(0, population.Classes).Select(y => (y + options.Shift) % population.Classes)])
                : null;
        }

        if (binder.Has(ShiftParameter.Name))
        {
            binder.Error(ShiftParameter.Name, "give either map or shift, not both");
        }

        if (!LabelMap.IsPermutation(options.Map))
        {
            binder.Error(MapParameter.Name, $"must hold every label 0 .. {options.Map.Length - 1} exactly once (got [{string.Join(", ", options.Map)}])");
            return null;
        }

        if (population.Classes > 0 && options.Map.Length != population.Classes)
        {
            binder.Error(MapParameter.Name, $"must give one label per class: the data set has {population.Classes} classes, the map {options.Map.Length}");
            return null;
        }

        return new LabelMap(options.Map);
    }
}
