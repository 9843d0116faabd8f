namespace ByzantineSim.Aggregators.Mda;

/// <summary>Options of <see cref="MdaAggregator"/>.</summary>
/// <param name="MaxSubsets">
/// The largest number of candidate subsets, C(n, f), the rule agrees to search; beyond it the
/// rule refuses (n = 25, f = 5 is 53,130; n = 100, f = 20 is about 5.4e20).
/// <value>10,000,000.</value>
/// </param>
public sealed record MdaOptions(long MaxSubsets)
{
    /// <summary>The <c>max_subsets</c> option.</summary>
    public static readonly Parameter<long> MaxSubsetsParameter = new(
        "max_subsets",
        10_000_000,
        "refuse when C(n, f), the number of (n - f)-subsets, exceeds this",
        value => value >= 1 ? null : "must be >= 1");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static MdaOptions Bind(OptionsBinder binder) => new(binder.Get(MaxSubsetsParameter));
}
