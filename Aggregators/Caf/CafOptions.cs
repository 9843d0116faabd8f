namespace ByzantineSim.Aggregators.Caf;

/// <summary>Options of <see cref="CafAggregator"/>.</summary>
/// <param name="MaxIterations">
/// The most filtering iterations per aggregation (the loop otherwise runs until the total weight
/// is at most n - 2f). With the weighted maximum a row leaves at every iteration, so at most n
/// iterations run and the cap never binds; with ByzFL's maximum over all rows the others can lose
/// weight arbitrarily slowly (71 iterations for n = 4 in the reference file), and the best
/// weighted mean seen within the cap is returned. <value>1000.</value>
/// </param>
/// <param name="WeightedMaximum">
/// Normalise the down-weighting c_i &lt;- c_i (1 - tau_i / tau_max) by the largest projection
/// among rows that still have weight (the classical filter), instead of among all rows as ByzFL's
/// <c>CAF</c> does (<c>tau_max: all</c>). Over all rows, a row already at weight zero that lies
/// far out keeps the largest projection, and a second, nearer outlier then loses only
/// (its projection / the far one's)^2 of its weight per iteration: with outliers at 1e6 and 1e20
/// it stays in for ~1e28 iterations (the project's fuzz law found this). <value>true (weighted).</value>
/// </param>
public sealed record CafOptions(int MaxIterations, bool WeightedMaximum)
{
    /// <summary>The <c>max_iterations</c> option.</summary>
    public static readonly Parameter<int> MaxIterationsParameter = new(
        "max_iterations", 1000, "cap on filtering iterations (the best weighted mean so far is returned)", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>tau_max</c> option.</summary>
    public static readonly Parameter<string> TauMaxParameter = new(
        "tau_max", "weighted", "normalise down-weighting by the largest projection over rows still weighted (classical filter) or over all rows (ByzFL)", Choices: ["weighted", "all"]);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static CafOptions Bind(OptionsBinder binder) => new(
        binder.Get(MaxIterationsParameter),
        binder.Get(TauMaxParameter) == "weighted");
}
