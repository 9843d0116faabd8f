namespace ByzantineSim.Attacks.MinMax;

/// <summary>Options of <see cref="MinMaxAttack"/> (both <c>min-max</c> and <c>min-sum</c>).</summary>
/// <param name="Direction">
/// The perturbation Delta: <c>unit</c> = mean / ||mean||, <c>sign</c> = sign(mean), <c>std</c> =
/// per-coordinate sample std of the honest updates. <value>unit (the authors' code's default)</value>
/// </param>
/// <param name="Start">First lambda of the bisection. <value>10</value></param>
/// <param name="Tolerance">The bisection stops when successive lambdas differ by at most this. <value>1e-5</value></param>
/// <param name="Bound">
/// min-sum only: the honest reference is the <c>max</c> (the paper) or the <c>min</c> (the authors'
/// code) over honest clients of their sum of squared distances to the others. <value>max</value>
/// </param>
public sealed record MinMaxOptions(string Direction, double Start, double Tolerance, string Bound)
{
    /// <summary>The <c>direction</c> option.</summary>
    public static readonly Parameter<string> DirectionParameter = new(
        "direction", "unit", "perturbation direction: unit mean, sign of the mean, or std", Choices: ["unit", "sign", "std"]);

    /// <summary>The <c>start</c> option.</summary>
    public static readonly Parameter<double> StartParameter = new(
        "start", 10.0, "first lambda of the bisection", Checks.PositiveFinite);

    /// <summary>The <c>tolerance</c> option.</summary>
    public static readonly Parameter<double> ToleranceParameter = new(
        "tolerance", 1e-5, "stop when successive lambdas differ by at most this", value => value > 0 ? null : "must be > 0");

    /// <summary>The <c>bound</c> option (min-sum only).</summary>
    public static readonly Parameter<string> BoundParameter = new(
        "bound", "max", "min-sum: honest reference sum of squared distances, max (paper) or min (authors' code)", Choices: ["max", "min"]);

    /// <summary>Binds the options of min-max (which has no <c>bound</c>) or min-sum.</summary>
    public static MinMaxOptions Bind(OptionsBinder binder, bool sum) =>
        new(
            binder.Get(DirectionParameter),
            binder.Get(StartParameter),
            binder.Get(ToleranceParameter),
            sum ? binder.Get(BoundParameter) : "max");
}
