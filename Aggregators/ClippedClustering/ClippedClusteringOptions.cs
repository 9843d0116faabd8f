namespace ByzantineSim.Aggregators.ClippedClustering;

/// <summary>Options of <see cref="ClippedClusteringAggregator"/>.</summary>
/// <param name="History">
/// Clip at the median of every norm seen so far in the run (this round's included), as Blades
/// keeps <c>l2norm_his</c>; false: this round's norms only. <value>true (Blades).</value>
/// </param>
/// <param name="MaxThreshold">Upper bound on the clipping threshold. <value>1e5 (Blades' <c>max_tau</c>).</value></param>
/// <param name="SingleLinkage">
/// Merge clusters by their closest pair (single linkage) instead of their average distance.
/// <value>false: average linkage (Blades).</value>
/// </param>
public sealed record ClippedClusteringOptions(bool History, double MaxThreshold, bool SingleLinkage)
{
    /// <summary>The <c>history</c> option.</summary>
    public static readonly Parameter<bool> HistoryParameter = new(
        "history", true, "clip at the median of every norm seen in the run (false: this round's norms)");

    /// <summary>The <c>max_threshold</c> option.</summary>
    public static readonly Parameter<double> MaxThresholdParameter = new(
        "max_threshold", 1e5, "upper bound on the clipping threshold", value => value > 0 ? null : "must be > 0");

    /// <summary>The <c>linkage</c> option.</summary>
    public static readonly Parameter<string> LinkageParameter = new(
        "linkage", "average", "how agglomerative clustering measures the distance between clusters", Choices: ["average", "single"]);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static ClippedClusteringOptions Bind(OptionsBinder binder) => new(
        binder.Get(HistoryParameter),
        binder.Get(MaxThresholdParameter),
        binder.Get(LinkageParameter) == "single");
}
