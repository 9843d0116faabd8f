using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Attacks.LabelFlip;

/// <summary>
/// Data poisoning by label permutation: the Byzantine clients train for real, on their own data
/// partition like honest clients, but with every label y replaced by <c>Map[y]</c>, and send the
/// update they computed. <c>label-flip</c> uses y -> classes - 1 - y (Allen-Zhu et al. ICLR 2021;
/// Karimireddy, He, Jaggi ICML 2021; ByzFL); <c>label-permutation</c> any permutation. Each
/// identity sends its own vector; the attack needs no knowledge of honest updates.
/// </summary>
public sealed class LabelFlipAttack : IAttack
{
    /// <summary>Registry name of y -> classes - 1 - y.</summary>
    public const string FlipName = "label-flip";

    /// <summary>Registry name of a configurable permutation.</summary>
    public const string PermutationName = "label-permutation";

    /// <summary>Creates the attack with its registry name and label map.</summary>
    public LabelFlipAttack(string name, LabelMap map)
    {
        Name = name;
        Poisoning = map;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public AttackKnowledge Requires => AttackKnowledge.OwnGradients;

    /// <inheritdoc />
    public LabelMap Poisoning { get; }

    /// <inheritdoc />
    public AttackState? Craft(in AttackContext context, Span<float> output)
    {
        context.Require(Requires, Name);
        context.OwnGradients.Data.CopyTo(output);
        return null;
    }

    /// <summary>Binds <c>label-flip</c> for the population's number of classes.</summary>
    public static LabelFlipAttack? BindFlip(OptionsBinder binder, AttackPopulation population) =>
        RequireClasses(binder, population) ? new LabelFlipAttack(FlipName, LabelMap.Flip(population.Classes)) : null;

    /// <summary>Binds <c>label-permutation</c> for the population's number of classes.</summary>
    public static LabelFlipAttack? BindPermutation(OptionsBinder binder, AttackPopulation population) =>
        LabelPermutationOptions.Bind(binder, population) is { } map ? new LabelFlipAttack(PermutationName, map) : null;

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
