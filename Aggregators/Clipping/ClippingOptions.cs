namespace ByzantineSim.Aggregators.Clipping;

/// <summary>Options of <see cref="ClippingPreAggregator"/>.</summary>
/// <param name="Threshold">Largest norm let through, c. <value>2.</value></param>
public sealed record ClippingOptions(double Threshold)
{
    /// <summary>The <c>c</c> option.</summary>
    public static readonly Parameter<double> ThresholdParameter = new(
        "c", 2.0, "largest norm let through", value => value > 0 ? null : "must be > 0");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static ClippingOptions Bind(OptionsBinder binder) => new(binder.Get(ThresholdParameter));
}
