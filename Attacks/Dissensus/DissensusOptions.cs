namespace ByzantineSim.Attacks.Dissensus;

/// <summary>Options of <see cref="DissensusAttack"/>.</summary>
/// <param name="Epsilon">How many times the honest pull is cancelled. <value>1.5 (the reference's experiments, "dissensus1.5")</value></param>
public sealed record DissensusOptions(double Epsilon)
{
    /// <summary>The <c>eps</c> option.</summary>
    public static readonly Parameter<double> EpsilonParameter = new(
        "eps", 1.5, "the Byzantine neighbours cancel eps times the honest pull on their target (eps > 1 drives peers apart)", Checks.PositiveFinite);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default.</summary>
    public static DissensusOptions Bind(OptionsBinder binder) => new(binder.Get(EpsilonParameter));
}
