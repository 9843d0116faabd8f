using ByzantineSim.Attacks.Poisoning;

namespace ByzantineSim.Attacks.LabelFlip;

/// <summary>
/// Data poisoning by label permutation: the Byzantine clients train for real, on their own data
/// partition like honest clients, but with every label y replaced by <c>Map[y]</c>, and send the
/// update they computed. <c>label-flip</c> uses y -> classes - 1 - y (Allen-Zhu et al. ICLR 2021;
/// Karimireddy, He, Jaggi ICML 2021; ByzFL); <c>label-permutation</c> any permutation. The
/// targeted forms change only source classes: <c>targeted-label-flip</c> maps given
/// source -> target pairs (Tolpegin et al., ESORICS 2020, arXiv 2007.08432), and
/// <c>multi-label-flip</c> maps several source classes to one target (MUD-HoG, Gupta et al.
/// 2022, arXiv 2208.10273: sources 1, 2, 3 to 7); their success is measured on the source
/// classes' test samples. Each identity sends its own vector; the attack needs no knowledge of
/// honest updates.
/// </summary>
public sealed class LabelFlipAttack : Attack
{
    /// <summary>Registry name of y -> classes - 1 - y.</summary>
    public const string FlipName = "label-flip";

    /// <summary>Registry name of a configurable permutation.</summary>
    public const string PermutationName = "label-permutation";

    /// <summary>Registry name of source -> target pairs.</summary>
    public const string TargetedName = "targeted-label-flip";

    /// <summary>Registry name of several sources -> one target.</summary>
    public const string MultiName = "multi-label-flip";

    /// <summary>Creates the attack with its registry name and label map; a targeted attack's success is measured.</summary>
    public LabelFlipAttack(string name, LabelMap map, bool targeted = false)
        : base(name, AttackKnowledge.OwnGradients)
    {
        Poisoning = DataPoisoning.Relabel(map);
        Goal = targeted ? Poisoning : null;
    }

    /// <inheritdoc />
    public override DataPoisoning Poisoning { get; }

    /// <inheritdoc />
    public override DataPoisoning? Goal { get; }

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        context.OwnGradients.Data.CopyTo(output);
        return null;
    }

    /// <summary>Binds <c>label-flip</c> for the population's number of classes.</summary>
    public static LabelFlipAttack? BindFlip(OptionsBinder binder, AttackPopulation population) =>
        RequireClasses(binder, population) ? new LabelFlipAttack(FlipName, LabelMap.Flip(population.Classes)) : null;

    /// <summary>Binds <c>label-permutation</c> for the population's number of classes.</summary>
    public static LabelFlipAttack? BindPermutation(OptionsBinder binder, AttackPopulation population) =>
        LabelPermutationOptions.Bind(binder, population) is { } map ? new LabelFlipAttack(PermutationName, map) : null;

    /// <summary>Binds <c>targeted-label-flip</c>: the pairs given, every other class unchanged.</summary>
    public static LabelFlipAttack? BindTargeted(OptionsBinder binder, AttackPopulation population) =>
        TargetedFlipOptions.BindPairs(binder, population) is { } map ? new LabelFlipAttack(TargetedName, map, targeted: true) : null;

    /// <summary>Binds <c>multi-label-flip</c>: every source class to the target.</summary>
    public static LabelFlipAttack? BindMulti(OptionsBinder binder, AttackPopulation population) =>
        TargetedFlipOptions.BindMulti(binder, population) is { } map ? new LabelFlipAttack(MultiName, map, targeted: true) : null;

    /// <summary>Records an error unless the data set's number of classes is known.</summary>
    internal static bool RequireClasses(OptionsBinder binder, AttackPopulation population)
    {
        if (population.Classes >= 2)
        {
            return true;
        }

        binder.Error(null, $"{binder.PluginName} needs the data set's number of classes (got {population.Classes})");
        return false;
    }
}
