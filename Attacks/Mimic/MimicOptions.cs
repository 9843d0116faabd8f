namespace ByzantineSim.Attacks.Mimic;

/// <summary>Options of <see cref="MimicAttack"/>.</summary>
/// <param name="Warmup">
/// Rounds during which the direction is estimated (and the target re-chosen every round); from
/// then on the target is fixed. <value>1 (EPFL-ML's default)</value>
/// </param>
public sealed record MimicOptions(int Warmup)
{
    /// <summary>The <c>warmup</c> option.</summary>
    public static readonly Parameter<int> WarmupParameter = new(
        "warmup", 1, "rounds spent estimating the direction of largest honest variance before the target is fixed",
        value => value >= 1 ? null : "must be >= 1");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static MimicOptions Bind(OptionsBinder binder) => new(binder.Get(WarmupParameter));
}
