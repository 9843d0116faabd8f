namespace ByzantineSim.Aggregators.CenteredClipping;

/// <summary>Options of <see cref="CenteredClippingAggregator"/>.</summary>
/// <param name="Tau">Clipping radius. <value>100 (ICML 2021, ByzFL); 10 in the ICLR 2022 paper.</value></param>
/// <param name="Iterations">Clipping iterations L per round. <value>1 (ICML 2021, ByzFL); 3 in ICLR 2022.</value></param>
public sealed record CenteredClippingOptions(double Tau, int Iterations)
{
    /// <summary>The <c>tau</c> option.</summary>
    public static readonly Parameter<double> TauParameter = new(
        "tau", 100.0, "clipping radius around the centre", value => value > 0 ? null : "must be > 0");

    /// <summary>The <c>iterations</c> option.</summary>
    public static readonly Parameter<int> IterationsParameter = new(
        "iterations", 1, "clipping iterations L per round", value => value >= 1 ? null : "must be >= 1");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static CenteredClippingOptions Bind(OptionsBinder binder) =>
        new(binder.Get(TauParameter), binder.Get(IterationsParameter));
}
