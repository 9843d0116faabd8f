using ByzantineSim.Attacks.Alie;
using ByzantineSim.Attacks.Poisoning;

namespace ByzantineSim.Attacks.Backdoors;

/// <summary>The backdoor variants (see <see cref="BackdoorAttack"/>).</summary>
public enum BackdoorVariant
{
    /// <summary>One trigger, the same for every Byzantine client (BadNets).</summary>
    BadNets,

    /// <summary>The trigger split into local triggers, one per Byzantine client in turn (DBA).</summary>
    Distributed,

    /// <summary>BadNets with the update scaled to replace the global model (Bagdasaryan et al.).</summary>
    ModelReplacement,

    /// <summary>BadNets projected off the coordinates the benign updates use most (Neurotoxin).</summary>
    Neurotoxin,
}

/// <summary>
/// Validated options of a backdoor attack, resolved for the population.
/// Defaults follow DBA's MNIST configuration (AI-secure/DBA, utils/mnist_params.yaml:
/// poisoning_per_batch 20 of batch_size 64, poison_label_swap 2, four 1x4 local triggers at
/// rows 0 and 3, columns 0-3 and 6-9).
/// </summary>
/// <param name="Poisoning">The poisoning of each identity (one entry, or one per local trigger).</param>
/// <param name="Goal">The global trigger, stamped on every test sample, for the attack success rate.</param>
/// <param name="Boost">Factor applied to each Byzantine update (1: none).</param>
/// <param name="AlieZ">z of the ALIE bound mean +- z * std on each coordinate, or null for no bound.</param>
/// <param name="Top">Neurotoxin: share of coordinates, largest benign movement first, the update is projected off.</param>
public sealed record BackdoorOptions(ImmutableArray<DataPoisoning> Poisoning, DataPoisoning Goal, double Boost, double? AlieZ, double Top)
{
    /// <summary>The <c>target</c> option.</summary>
    public static readonly Parameter<int> TargetParameter = new("target", 2, "label the trigger should produce", v => v >= 0 ? null : "must be >= 0");

    /// <summary>The <c>fraction</c> option.</summary>
    public static readonly Parameter<double> FractionParameter = new(
        "fraction", 0.3125, "share of each Byzantine batch stamped and relabelled (DBA: 20 of 64)", v => v is > 0 and <= 1 ? null : "must be in (0, 1]");

    /// <summary>The <c>size</c> option.</summary>
    public static readonly Parameter<int> SizeParameter = new(
        "size", 4, "side of the square trigger (badnets), or length of each 1-pixel bar (dba)", v => v >= 1 ? null : "must be >= 1");

    /// <summary>The <c>x</c> option.</summary>
    public static readonly Parameter<int?> XParameter = new(
        "x", null, "left column of the trigger", v => v is null or >= 0 ? null : "must be >= 0", DefaultDescription: "badnets: width - size - 1; dba: 0");

    /// <summary>The <c>y</c> option.</summary>
    public static readonly Parameter<int?> YParameter = new(
        "y", null, "top row of the trigger", v => v is null or >= 0 ? null : "must be >= 0", DefaultDescription: "badnets: height - size - 1; dba: 0");

    /// <summary>The <c>value</c> option.</summary>
    public static readonly Parameter<double?> ValueParameter = new(
        "value", null, "feature value of trigger pixels", v => v is null || double.IsFinite(v.Value) ? null : "must be finite", DefaultDescription: "the data's largest feature (white)");

    /// <summary>The <c>alpha</c> option.</summary>
    public static readonly Parameter<double> AlphaParameter = new(
        "alpha", 0.0, "blend a fixed noise image with this weight instead of stamping a square (Chen et al. 2017 use 0.2)", v => v is >= 0 and <= 1 ? null : "must be in [0, 1]");

    /// <summary>The <c>parts</c> option (DBA).</summary>
    public static readonly Parameter<int?> PartsParameter = new(
        "parts", null, "local triggers: bars at rows y, y+3 and columns x, x+size+2 (DBA's layout), one per Byzantine client in turn",
        v => v is null or (>= 1 and <= 4) ? null : "must be in 1 .. 4", DefaultDescription: "min(4, f)");

    /// <summary>The <c>boost</c> option.</summary>
    public static readonly Parameter<double?> BoostParameter = new(
        "boost", null, "factor on each Byzantine update", v => v is null || (v > 0 && double.IsFinite(v.Value)) ? null : "must be a finite number > 0",
        DefaultDescription: "model-replacement: n / f; others: 1");

    /// <summary>The <c>bound</c> option.</summary>
    public static readonly Parameter<string> BoundParameter = new(
        "bound", "none", "alie: clamp each coordinate to mean +- z * std of the honest updates (Baruch et al.'s backdoor), z by ALIE's formula", Choices: ["none", "alie"]);

    /// <summary>The <c>top</c> option (Neurotoxin).</summary>
    public static readonly Parameter<double> TopParameter = new(
        "top", 0.01, "share of coordinates with the largest benign movement that the update avoids", v => v is >= 0 and < 1 ? null : "must be in [0, 1)");

    /// <summary>The parameters every variant takes.</summary>
    public static ImmutableArray<IParameter> ParametersOf(BackdoorVariant variant) => variant switch
    {
        BackdoorVariant.Distributed => [TargetParameter, FractionParameter, SizeParameter, XParameter, YParameter, ValueParameter, PartsParameter, BoostParameter, BoundParameter],
        BackdoorVariant.Neurotoxin => [TargetParameter, FractionParameter, SizeParameter, XParameter, YParameter, ValueParameter, AlphaParameter, BoostParameter, BoundParameter, TopParameter],
        _ => [TargetParameter, FractionParameter, SizeParameter, XParameter, YParameter, ValueParameter, AlphaParameter, BoostParameter, BoundParameter],
    };

    /// <summary>Binds and cross-checks the options for <paramref name="population"/>; null when invalid (the binder has the errors).</summary>
    public static BackdoorOptions? Bind(OptionsBinder binder, AttackPopulation population, BackdoorVariant variant)
    {
        int target = binder.Get(TargetParameter);
        double fraction = binder.Get(FractionParameter);
        int size = binder.Get(SizeParameter);
        int? x = binder.Get(XParameter), y = binder.Get(YParameter);
        double? value = binder.Get(ValueParameter);
        double alpha = variant == BackdoorVariant.Distributed ? 0 : binder.Get(AlphaParameter);
        int parts = variant == BackdoorVariant.Distributed ? binder.Get(PartsParameter) ?? Math.Clamp(population.ByzantineCount, 1, 4) : 1;
        double? boost = binder.Get(BoostParameter);
        bool alie = binder.Get(BoundParameter) == "alie";
        double top = variant == BackdoorVariant.Neurotoxin ? binder.Get(TopParameter) : 0;
        int n = population.TotalClients, f = population.ByzantineCount;
        var shape = population.SampleShape.IsDefault ? [] : population.SampleShape;

        if (population.Classes > 0 && target >= population.Classes)
        {
            binder.Error(TargetParameter.Name, $"must be a class label in 0 .. {population.Classes - 1} (got {target})");
        }

        if (alpha > 0 && (binder.Has(SizeParameter.Name) || binder.Has(XParameter.Name) || binder.Has(YParameter.Name) || binder.Has(ValueParameter.Name)))
        {
            binder.Error(AlphaParameter.Name, "a blended pattern covers the whole image: give alpha or size/x/y/value, not both");
        }

        if (variant == BackdoorVariant.Distributed && f > 0 && parts > f)
        {
            binder.Error(PartsParameter.Name, $"DBA gives each Byzantine client one local trigger: parts ({parts}) must not exceed f ({f}), or some parts are never trained");
        }

        double? z = null;
        if (alie && f > 0)
        {
            var formula = new AlieOptions(null, null, "paper");
            double p = formula.Quantile(n, f);
            if (p is > 0 and < 1)
            {
                z = Math.Abs(formula.Factor(n, f));
            }
            else
            {
                binder.Error(BoundParameter.Name, $"ALIE's formula gives no z for n={n}, f={f} (quantile {p:R}): too many Byzantine clients for a bound that hides among the honest ones");
            }
        }

        if (shape.Length != 3)
        {
            binder.Error(null, $"{binder.PluginName} stamps a trigger on images (samples of shape [channels, height, width]); "
                + (shape.IsEmpty ? "the data set's sample shape is not known before loading" : $"the data's samples have shape [{string.Join(", ", shape)}]"));
            return null;
        }

        var patches = variant == BackdoorVariant.Distributed
            ? [.. Enumerable.Range(0, parts).Select(k => new TriggerPatch((y ?? 0) + (3 * (k / 2)), (x ?? 0) + ((size + 2) * (k % 2)), 1, size))]
            : alpha > 0 ? ImmutableArray<TriggerPatch>.Empty
            : [new TriggerPatch(y ?? shape[1] - size - 1, x ?? shape[2] - size - 1, size, size)];
        var trigger = new Trigger(patches, value, alpha);
        if (trigger.Problem(shape) is { } problem)
        {
            binder.Error(null, problem);
            return null;
        }

        var global = new DataPoisoning(null, new Backdoor(trigger, 1, target));
        ImmutableArray<DataPoisoning> each = variant == BackdoorVariant.Distributed
            ? [.. patches.Select(p => new DataPoisoning(null, new Backdoor(trigger.WithPatches([p]), fraction, target)))]
            : [new DataPoisoning(null, new Backdoor(trigger, fraction, target))];
        double factor = boost ?? (variant == BackdoorVariant.ModelReplacement && f > 0 ? (double)n / f : 1);
        return new BackdoorOptions(each, global, factor, z, top);
    }
}
