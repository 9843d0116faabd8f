namespace ByzantineSim.Aggregators.Dnc;

/// <summary>Options of <see cref="DncAggregator"/>.</summary>
/// <param name="Subsample">
/// Coordinates drawn (without replacement) per iteration, b; all of them when b &gt;= d.
/// <value>10,000 (the paper's b, as in Blades).</value>
/// </param>
/// <param name="Iterations">Independent subsamplings, niters; a row survives only if every one keeps it. <value>1 (Blades).</value></param>
/// <param name="FilterFraction">
/// c: each iteration removes the floor(c f) rows with the highest outlier scores. <value>1.0 (Blades).</value>
/// </param>
public sealed record DncOptions(int Subsample, int Iterations, double FilterFraction)
{
    /// <summary>The <c>subsample</c> option.</summary>
    public static readonly Parameter<int> SubsampleParameter = new(
        "subsample", 10_000, "coordinates drawn per iteration, b (all when b >= d)", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>iterations</c> option.</summary>
    public static readonly Parameter<int> IterationsParameter = new(
        "iterations", 1, "independent subsamplings; a row is kept only if every one keeps it", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>filter_fraction</c> option.</summary>
    public static readonly Parameter<double> FilterFractionParameter = new(
        "filter_fraction", 1.0, "c: each iteration removes the floor(c f) highest outlier scores", value => value >= 0 && double.IsFinite(value) ? null : "must be >= 0");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static DncOptions Bind(OptionsBinder binder) => new(
        binder.Get(SubsampleParameter),
        binder.Get(IterationsParameter),
        binder.Get(FilterFractionParameter));

    /// <summary>How many rows each iteration removes for f Byzantine inputs: floor(c f).</summary>
    public int Removed(int f) => (int)Math.Floor(FilterFraction * f);
}
