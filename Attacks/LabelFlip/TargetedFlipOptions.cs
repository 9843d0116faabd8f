using System.Globalization;

namespace ByzantineSim.Attacks.LabelFlip;

/// <summary>
/// Options of the targeted label-flipping attacks. Defaults are MUD-HoG's
/// (LabSAINT/MUD-HoG_Federated_Learning, parser.py and clients_attackers.py: label flipping
/// 1 -> 7, multi-label flipping 1, 2, 3 -> 7).
/// </summary>
public static class TargetedFlipOptions
{
    /// <summary>The <c>pairs</c> option of <c>targeted-label-flip</c>.</summary>
    public static readonly Parameter<string> PairsParameter = new(
        "pairs", "1->7", "source->target class pairs, e.g. [1->7, 3->5]; other classes keep their labels");

    /// <summary>The <c>sources</c> option of <c>multi-label-flip</c>.</summary>
    public static readonly Parameter<ImmutableArray<int>> SourcesParameter = new(
        "sources", [1, 2, 3], "classes relabelled as the target");

    /// <summary>The <c>target</c> option of <c>multi-label-flip</c>.</summary>
    public static readonly Parameter<int> TargetParameter = new(
        "target", 7, "the label every source class gets", value => value >= 0 ? null : "must be >= 0");

    /// <summary>Binds <c>pairs</c> into a label map for the population's classes (null when invalid).</summary>
    public static LabelMap? BindPairs(OptionsBinder binder, AttackPopulation population)
    {
        string text = binder.Get(PairsParameter);
        var pairs = new List<(int Source, int Target)>();
        foreach (string item in text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = item.Split("->", StringSplitOptions.TrimEntries);
            if (ends.Length != 2
                || !int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out int source)
                || !int.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out int target))
            {
                binder.Error(PairsParameter.Name, $"expected pairs source->target of class labels, e.g. [1->7, 3->5], got '{item}'");
                return null;
            }

            pairs.Add((source, target));
        }

        if (pairs.Count == 0)
        {
            binder.Error(PairsParameter.Name, "needs at least one source->target pair");
            return null;
        }

        return Build(binder, population, PairsParameter.Name, pairs);
    }

    /// <summary>Binds <c>sources</c> and <c>target</c> into a label map (null when invalid).</summary>
    public static LabelMap? BindMulti(OptionsBinder binder, AttackPopulation population)
    {
        var sources = binder.Get(SourcesParameter);
        int target = binder.Get(TargetParameter);
        if (sources.IsEmpty)
        {
            binder.Error(SourcesParameter.Name, "needs at least one source class");
            return null;
        }

        return Build(binder, population, SourcesParameter.Name, [.. sources.Select(s => (s, target))]);
    }

    private static LabelMap? Build(OptionsBinder binder, AttackPopulation population, string key, List<(int Source, int Target)> pairs)
    {
        if (!LabelFlipAttack.RequireClasses(binder, population))
        {
            return null;
        }

        int classes = population.Classes;
        foreach (var (source, target) in pairs)
        {
            if (source >= classes || target >= classes || source < 0 || target < 0)
            {
                binder.Error(key, $"class labels must be in 0 .. {classes - 1} (got {source}->{target})");
                return null;
            }

            if (source == target)
            {
                binder.Error(key, $"a source class must differ from its target (got {source}->{target})");
                return null;
            }
        }

        if (pairs.Select(p => p.Source).Distinct().Count() != pairs.Count)
        {
            binder.Error(key, $"each source class may appear once (got {string.Join(", ", pairs.Select(p => $"{p.Source}->{p.Target}"))})");
            return null;
        }

        return LabelMap.Targeted(classes, pairs);
    }
}
