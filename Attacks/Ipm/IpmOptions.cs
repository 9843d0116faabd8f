namespace ByzantineSim.Attacks.Ipm;

/// <summary>Options of <see cref="IpmAttack"/>.</summary>
/// <param name="Epsilon">
/// The Byzantine vector is -epsilon * mean(honest). <value>0.1 (EPFL-ML); ByzFL's tau = 2 is epsilon = 2</value>
/// </param>
public sealed record IpmOptions(double Epsilon)
{
    /// <summary>The <c>eps</c> option.</summary>
    public static readonly Parameter<double> EpsilonParameter = new(
        "eps", 0.1, "Byzantine clients send -eps * mean(honest); ByzFL's tau is the same factor", Checks.PositiveFinite);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static IpmOptions Bind(OptionsBinder binder) => new(binder.Get(EpsilonParameter));
}
