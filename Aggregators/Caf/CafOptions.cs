using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Aggregators.Caf;

/// <summary>Options of <see cref="CafAggregator"/>.</summary>
/// <param name="MaxIterations">
/// The most filtering iterations per aggregation; the paper and ByzFL loop until the total weight
/// is at most n - 2f. With ByzFL's normalisation (<paramref name="WeightedMaximum"/> false) a row
/// already at weight zero can keep the largest projection, and the others then lose weight
/// slowly (71 iterations for n = 4 in the reference file); the cap bounds that, and the best
/// weighted mean seen so far is returned. <value>1000.</value>
/// </param>
/// <param name="WeightedMaximum">
/// Normalise the down-weighting by the largest projection among rows that still have weight (the
/// classical filter: a row leaves at every iteration, so at most n iterations) instead of among
/// all rows. <value>false: ByzFL's <c>CAF</c> takes the maximum over all rows.</value>
/// </param>
public sealed record CafOptions(int MaxIterations, bool WeightedMaximum)
{
    /// <summary>The <c>max_iterations</c> option.</summary>
    public static readonly Parameter<int> MaxIterationsParameter = new(
        "max_iterations", 1000, "cap on filtering iterations (the best weighted mean so far is returned)", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>tau_max</c> option.</summary>
    public static readonly Parameter<string> TauMaxParameter = new(
        "tau_max", "all", "normalise down-weighting by the largest projection over all rows (ByzFL) or over rows still weighted", Choices: ["all", "weighted"]);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static CafOptions Bind(OptionsBinder binder) => new(
        binder.Get(MaxIterationsParameter),
        binder.Get(TauMaxParameter) == "weighted");
}
