namespace ByzantineSim.Aggregators.GeometricMedian;

/// <summary>Options of <see cref="GeometricMedianAggregator"/>.</summary>
/// <param name="Nu">Smoothing: distances below nu count as nu. <value>0.1 (ByzFL, EPFL-ML).</value></param>
/// <param name="Iterations">Weiszfeld iterations T (the cap when a tolerance is set). <value>3 (ByzFL, EPFL-ML ICML 2021); 8 in EPFL-ML ICLR 2022.</value></param>
/// <param name="StartFromMean">Start at the mean of the finite inputs instead of zero. <value>false: z_0 = 0 as ByzFL and EPFL-ML.</value></param>
/// <param name="Tolerance">Stop early once an iteration moves z by at most this (Euclidean). <value>0: run all iterations.</value></param>
public sealed record GeometricMedianOptions(double Nu, int Iterations, bool StartFromMean, double Tolerance)
{
    /// <summary>The <c>nu</c> option.</summary>
    public static readonly Parameter<double> NuParameter = new(
        "nu", 0.1, "smoothing: distances below nu count as nu", value => value > 0 ? null : "must be > 0");

    /// <summary>The <c>iterations</c> option.</summary>
    public static readonly Parameter<int> IterationsParameter = new(
        "iterations", 3, "Weiszfeld iterations T (the cap when tolerance > 0)", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>start</c> option.</summary>
    public static readonly Parameter<string> StartParameter = new(
        "start", "zero", "starting point z_0: zero (ByzFL) or the mean of the finite inputs", Choices: ["zero", "mean"]);

    /// <summary>The <c>tolerance</c> option.</summary>
    public static readonly Parameter<double> ToleranceParameter = new(
        "tolerance", 0.0, "stop once an iteration moves z by at most this; 0 runs every iteration", value => value >= 0 ? null : "must be >= 0");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static GeometricMedianOptions Bind(OptionsBinder binder) => new(
        binder.Get(NuParameter),
        binder.Get(IterationsParameter),
        binder.Get(StartParameter) == "mean",
        binder.Get(ToleranceParameter));
}
