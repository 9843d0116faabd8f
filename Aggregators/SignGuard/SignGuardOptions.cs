namespace ByzantineSim.Aggregators.SignGuard;

/// <summary>Options of <see cref="SignGuardAggregator"/>.</summary>
/// <param name="LowerBound">Keep rows whose norm exceeds this times the median norm. <value>0.1 (the paper's L; the authors' code).</value></param>
/// <param name="UpperBound">Keep rows whose norm is below this times the median norm. <value>3.0 (the paper's R; the authors' code).</value></param>
/// <param name="SignFraction">Fraction of the coordinates, one random contiguous block, whose signs are counted. <value>0.1 (the authors' code).</value></param>
public sealed record SignGuardOptions(double LowerBound, double UpperBound, double SignFraction)
{
    /// <summary>The <c>lower_bound</c> option.</summary>
    public static readonly Parameter<double> LowerBoundParameter = new(
        "lower_bound", 0.1, "keep rows with norm > lower_bound x the median norm", value => value >= 0 ? null : "must be >= 0");

    /// <summary>The <c>upper_bound</c> option.</summary>
    public static readonly Parameter<double> UpperBoundParameter = new(
        "upper_bound", 3.0, "keep rows with norm < upper_bound x the median norm", value => value > 0 ? null : "must be > 0");

    /// <summary>The <c>sign_fraction</c> option.</summary>
    public static readonly Parameter<double> SignFractionParameter = new(
        "sign_fraction", 0.1, "fraction of the coordinates (one random block) whose signs are counted", value => value is > 0 and <= 1 ? null : "must be in (0, 1]");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static SignGuardOptions Bind(OptionsBinder binder) => new(
        binder.Get(LowerBoundParameter),
        binder.Get(UpperBoundParameter),
        binder.Get(SignFractionParameter));
}
