using ByzantineSim.Attacks.Alie;
using ByzantineSim.Attacks.Backdoors;
using ByzantineSim.Attacks.Fang;
using ByzantineSim.Attacks.BitFlip;
using ByzantineSim.Attacks.Dissensus;
using ByzantineSim.Attacks.Gaussian;
using ByzantineSim.Attacks.Ipm;
using ByzantineSim.Attacks.LabelFlip;
using ByzantineSim.Attacks.Malformed;
using ByzantineSim.Attacks.Mimic;
using ByzantineSim.Attacks.MinMax;
using ByzantineSim.Attacks.Optimal;
using ByzantineSim.Attacks.SignFlip;

namespace ByzantineSim.Attacks;

/// <summary>The attacks that ship with ByzantineSim, registered by name.</summary>
public static class BuiltInAttacks
{
    /// <summary>The name that means "no attack": Byzantine clients then behave honestly.</summary>
    public const string NoneName = "none";

    private const string NdssReference = "Shejwalkar, Houmansadr, NDSS 2021";

    private const string FangReference = "Fang, Cao, Jia, Gong, USENIX Security 2020, arXiv 1911.11815";

    private static readonly ImmutableArray<IParameter> MinMaxParameters =
        [MinMaxOptions.DirectionParameter, MinMaxOptions.StartParameter, MinMaxOptions.ToleranceParameter];

    private static readonly ImmutableArray<IParameter> LineSearchParameters =
    [
        LineSearchOptions.EvaluationsParameter, LineSearchOptions.StartParameter,
        LineSearchOptions.StepParameter, LineSearchOptions.RatioParameter,
    ];

    /// <summary>Every built-in attack.</summary>
    public static PluginRegistry<AttackDescriptor> Registry { get; } = new("attack",
    [
        new AttackDescriptor(
            NoneName,
            "no attack: the f Byzantine clients train and reply honestly",
            AttackKnowledge.OwnGradients,
            "baseline",
            [],
            (_, _) => NoAttack.Instance),
        new AttackDescriptor(
            SignFlipAttack.RegistryName,
            "all send -mean(honest updates)",
            AttackKnowledge.HonestUpdates,
            "Allen-Zhu, Ebrahimian, Li, Alistarh, ICLR 2021; ByzFL",
            [],
            (_, _) => new SignFlipAttack()),
        new AttackDescriptor(
            BitFlipAttack.RegistryName,
            "each sends the negation of its own honest update",
            AttackKnowledge.OwnGradients,
            "Karimireddy, He, Jaggi, ICML 2021, arXiv 2012.10333 (EPFL-ML)",
            [],
            (_, _) => new BitFlipAttack()),
        new AttackDescriptor(
            GaussianAttack.RegistryName,
            "each sends i.i.d. N(mean, sigma^2) coordinates",
            AttackKnowledge.None,
            "folklore; Xie, Koyejo, Gupta 2018",
            [GaussianOptions.MeanParameter, GaussianOptions.SigmaParameter, GaussianOptions.SameParameter],
            (binder, _) => new GaussianAttack(GaussianOptions.Bind(binder))),
        new AttackDescriptor(
            LabelFlipAttack.FlipName,
            "each trains on its own data with labels y -> classes - 1 - y and sends that update",
            AttackKnowledge.OwnGradients,
            "Allen-Zhu et al., ICLR 2021; Karimireddy, He, Jaggi, ICML 2021",
            [],
            LabelFlipAttack.BindFlip),
        new AttackDescriptor(
            LabelFlipAttack.PermutationName,
            "each trains on its own data with labels permuted (map, or a cyclic shift) and sends that update",
            AttackKnowledge.OwnGradients,
            "data poisoning; generalises label-flip",
            [LabelPermutationOptions.MapParameter, LabelPermutationOptions.ShiftParameter],
            LabelFlipAttack.BindPermutation),
        new AttackDescriptor(
            LabelFlipAttack.TargetedName,
            "each trains on its own data with source classes relabelled as their targets (pairs source->target) and sends that update",
            AttackKnowledge.OwnGradients,
            "Tolpegin, Truex, Gursoy, Liu, ESORICS 2020, arXiv 2007.08432; MUD-HoG (Gupta et al. 2022, arXiv 2208.10273)",
            [TargetedFlipOptions.PairsParameter],
            LabelFlipAttack.BindTargeted),
        new AttackDescriptor(
            LabelFlipAttack.MultiName,
            "each trains on its own data with several source classes relabelled as one target and sends that update",
            AttackKnowledge.OwnGradients,
            "MUD-HoG, Gupta, Luo, Doan, Kasneci, Bai, arXiv 2208.10273 (2022)",
            [TargetedFlipOptions.SourcesParameter, TargetedFlipOptions.TargetParameter],
            LabelFlipAttack.BindMulti),
        Backdoor(BackdoorAttack.BadNetsName, BackdoorVariant.BadNets, "each trains with a square trigger (or blended pattern) and the target label on a share of its batches, and sends that update", "Gu, Dolan-Gavitt, Garg 2017, arXiv 1708.06733 (BadNets); blend: Chen et al. 2017, arXiv 1712.05526"),
        Backdoor(BackdoorAttack.DbaName, BackdoorVariant.Distributed, "BadNets with the trigger split into local triggers, one per Byzantine client; success measured with the whole trigger", "Xie, Huang, Chen, Li, ICLR 2020 (DBA)"),
        Backdoor(BackdoorAttack.ReplacementName, BackdoorVariant.ModelReplacement, "BadNets with each update scaled by n / f, so that the mean steps along the backdoor gradient", "Bagdasaryan, Veit, Hua, Estrin, Shmatikov, AISTATS 2020, arXiv 1807.00459"),
        Backdoor(BackdoorAttack.NeurotoxinName, BackdoorVariant.Neurotoxin, "BadNets with the update zeroed on the top share of coordinates the last global step moved most", "Zhang, Panda, Song, Yang, Mahoney, Mittal, Ramchandran, Gonzalez, ICML 2022, arXiv 2206.10341"),
        new AttackDescriptor(
            IpmAttack.RegistryName,
            "all send -eps * mean(honest updates)",
            AttackKnowledge.HonestUpdates,
            "Xie, Koyejo, Gupta, UAI 2020, arXiv 1903.03936",
            [IpmOptions.EpsilonParameter],
            (binder, _) => new IpmAttack(IpmOptions.Bind(binder))),
        new AttackDescriptor(
            DissensusAttack.RegistryName,
            "all send -eps * (weighted sum of the honest updates) / (weight of the Byzantine ones): with peers, each neighbour's own gossip pull, reversed",
            AttackKnowledge.HonestUpdates,
            "He, Karimireddy, Jaggi, 2022, arXiv 2202.01545 (ClippedGossip)",
            [DissensusOptions.EpsilonParameter],
            (binder, _) => new DissensusAttack(DissensusOptions.Bind(binder))),
        new AttackDescriptor(
            AlieAttack.RegistryName,
            "all send mean - z * std of the honest updates",
            AttackKnowledge.HonestUpdates,
            "Baruch, Baruch, Goldberg, NeurIPS 2019, arXiv 1902.06156",
            [AlieOptions.ZParameter, AlieOptions.TauParameter, AlieOptions.FormulaParameter],
            (binder, population) => new AlieAttack(AlieOptions.Bind(binder, population), population)),
        new AttackDescriptor(
            MimicAttack.RegistryName,
            "all copy the honest client with the largest projection on the estimated direction of largest variance",
            AttackKnowledge.HonestUpdates,
            "Karimireddy, He, Jaggi, ICLR 2022, arXiv 2006.09365",
            [MimicOptions.WarmupParameter, MimicOptions.TargetParameter],
            (binder, population) => new MimicAttack(MimicOptions.Bind(binder, population))),
        new AttackDescriptor(
            MinMaxAttack.MinMaxName,
            "all send mean - lambda * Delta, lambda bisected so the largest distance to an honest update stays within the honest diameter",
            AttackKnowledge.HonestUpdates,
            NdssReference,
            MinMaxParameters,
            (binder, _) => new MinMaxAttack(MinMaxOptions.Bind(binder, sum: false), sum: false)),
        new AttackDescriptor(
            MinMaxAttack.MinSumName,
            "all send mean - lambda * Delta, lambda bisected so the summed squared distance to the honest updates stays within the honest bound",
            AttackKnowledge.HonestUpdates,
            NdssReference,
            [.. MinMaxParameters, MinMaxOptions.BoundParameter],
            (binder, _) => new MinMaxAttack(MinMaxOptions.Bind(binder, sum: true), sum: true)),
        Optimal(OptimalAttack.IpmName, OptimalFamily.Ipm, "all send -x * mean(honest), x line-searched against the server's pipeline"),
        Optimal(OptimalAttack.AlieName, OptimalFamily.Alie, "all send mean + x * std(honest), x line-searched against the server's pipeline"),
        Optimal(OptimalAttack.FangName, OptimalFamily.Fang,
            "all send -x * sign(mean(honest)) (Fang et al.'s directed deviation), x line-searched against the server's pipeline",
            FangReference + "; search as ByzFL's LineMaximize"),
        new AttackDescriptor(
            FangKrumAttack.RegistryName,
            "all send -lambda * sign(mean(honest)), lambda halved from the paper's bound until Krum selects it (knowledge: partial uses only the Byzantine clients' own updates)",
            AttackKnowledge.HonestUpdates,
            FangReference,
            [FangOptions.KnowledgeParameter, FangOptions.ThresholdParameter],
            (binder, population) => new FangKrumAttack(FangOptions.BindKrum(binder, population))),
        new AttackDescriptor(
            FangTrimAttack.RegistryName,
            "each draws every coordinate beyond the honest extreme against the honest mean's sign, against trimmed mean and median (knowledge: partial estimates mean +- 3..4 std from own updates)",
            AttackKnowledge.HonestUpdates,
            FangReference,
            [FangOptions.KnowledgeParameter, FangOptions.StretchParameter],
            (binder, _) => new FangTrimAttack(FangOptions.BindTrim(binder))),
        Malformed(MalformedAttack.Nan, "all send vectors of NaN"),
        Malformed(MalformedAttack.Inf, "all send vectors of +Infinity"),
        Malformed(MalformedAttack.WrongLength, "all send vectors one coordinate short"),
        Malformed(MalformedAttack.Silent, "nobody replies"),
    ]);

    /// <summary>Binds an attack's raw options for the given population (null value only with errors).</summary>
    public static (IAttack? Attack, ImmutableArray<PluginError> Errors) Bind(
        AttackDescriptor descriptor, IReadOnlyDictionary<string, string> raw, AttackPopulation population)
        => OptionsBinder.Bind(descriptor.Name, raw, binder => descriptor.Create(binder, population));

    /// <summary>Creates an attack by name (tests, benchmarks); throws on unknown names or bad options.</summary>
    public static IAttack Create(string name, AttackPopulation population, IReadOnlyDictionary<string, string>? options = null) =>
        Registry.Create(name, options, (descriptor, raw) => Bind(descriptor, raw, population))
        ?? throw new ArgumentException($"attack '{name}' could not be bound", nameof(name));

    private static AttackDescriptor Optimal(string name, OptimalFamily family, string summary, string reference = "Allouah et al., AISTATS 2023, arXiv 2302.01772; ByzFL's LineMaximize") =>
        new(name, summary, AttackKnowledge.HonestUpdates | AttackKnowledge.Aggregator,
            reference,
            LineSearchParameters,
            (binder, _) => new OptimalAttack(name, family, LineSearchOptions.Bind(binder)));

    private static AttackDescriptor Backdoor(string name, BackdoorVariant variant, string summary, string reference) =>
        new(name, summary, AttackKnowledge.OwnGradients, reference, BackdoorOptions.ParametersOf(variant),
            (binder, population) => BackdoorOptions.Bind(binder, population, variant) is { } options ? new BackdoorAttack(name, variant, options) : null);

    private static AttackDescriptor Malformed(MalformedAttack attack, string summary) =>
        new(attack.Name, summary, AttackKnowledge.None, "server robustness test", [], (_, _) => attack);
}

/// <summary>No attack: the Byzantine clients send their own honestly computed gradients.</summary>
public sealed class NoAttack : IAttack
{
    private NoAttack()
    {
    }

    /// <summary>The shared instance: the attack has no options or state.</summary>
    public static NoAttack Instance { get; } = new();

    /// <inheritdoc />
    public string Name => BuiltInAttacks.NoneName;

    /// <inheritdoc />
    public AttackKnowledge Requires => AttackKnowledge.OwnGradients;

    /// <inheritdoc />
    public AttackState? Craft(in AttackContext context, Span<float> output)
    {
        context.Require(Requires, Name);
        context.OwnGradients.Data.CopyTo(output);
        return null;
    }
}
