namespace ByzantineSim.Attacks.Mimic;

/// <summary>Options of <see cref="MimicAttack"/>.</summary>
/// <param name="Warmup">
/// Rounds during which the direction is estimated (and the target re-chosen every round); from
/// then on the target is fixed. <value>1 (EPFL-ML's default)</value>
/// </param>
/// <param name="Target">
/// An honest client id to copy every round instead of the client the direction picks (ByzFL's
/// <c>Mimic(epsilon)</c>, which copies honest worker epsilon, 0 by default). <value>null: chosen
/// by the direction of largest variance</value>
/// </param>
public sealed record MimicOptions(int Warmup, int? Target = null)
{
    /// <summary>The <c>warmup</c> option.</summary>
    public static readonly Parameter<int> WarmupParameter = new(
        "warmup", 1, "rounds spent estimating the direction of largest honest variance before the target is fixed",
        value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>target</c> option.</summary>
    public static readonly Parameter<int?> TargetParameter = new(
        "target", null, "honest client id copied every round (ByzFL's Mimic epsilon); when it does not reply, the lowest-id honest reply",
        value => value is null or >= 0 ? null : "must be >= 0", DefaultDescription: "the client with the largest projection on the direction of largest variance");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static MimicOptions Bind(OptionsBinder binder, AttackPopulation population)
    {
        var options = new MimicOptions(binder.Get(WarmupParameter), binder.Get(TargetParameter));
        if (options.Target >= population.TotalClients && population.TotalClients > 0)
        {
            binder.Error(TargetParameter.Name, $"must be a client id below n = {population.TotalClients}");
        }

        return options;
    }
}
