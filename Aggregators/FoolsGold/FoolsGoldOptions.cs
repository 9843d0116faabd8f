namespace ByzantineSim.Aggregators.FoolsGold;

/// <summary>Options of <see cref="FoolsGoldAggregator"/>.</summary>
/// <param name="Kappa">Confidence parameter of the logit, kappa. <value>1 (the paper's experiments and the authors' code).</value></param>
public sealed record FoolsGoldOptions(double Kappa)
{
    /// <summary>The <c>kappa</c> option.</summary>
    public static readonly Parameter<double> KappaParameter = new(
        "kappa", 1.0, "confidence of the logit that turns dissimilarity into weights", value => value > 0 ? null : "must be > 0");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static FoolsGoldOptions Bind(OptionsBinder binder) => new(binder.Get(KappaParameter));
}
