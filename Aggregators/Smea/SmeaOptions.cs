namespace ByzantineSim.Aggregators.Smea;

/// <summary>Options of <see cref="SmeaAggregator"/>.</summary>
/// <param name="MaxSubsets">
/// The largest number of candidate subsets, C(n, f), the rule agrees to search; beyond it the rule
/// refuses. Each candidate costs a small symmetric eigen-solve, so the limit is ten times lower
/// than MDA's (n = 25, f = 5 is 53,130 subsets; n = 100, f = 20 about 5.4e20).
/// <value>1,000,000 (a project limit; the paper enumerates every subset).</value>
/// </param>
public sealed record SmeaOptions(long MaxSubsets)
{
    /// <summary>The <c>max_subsets</c> option.</summary>
    public static readonly Parameter<long> MaxSubsetsParameter = new(
        "max_subsets",
        1_000_000,
        "refuse when C(n, f), the number of (n - f)-subsets, exceeds this",
        value => value >= 1 ? null : "must be >= 1");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static SmeaOptions Bind(OptionsBinder binder) => new(binder.Get(MaxSubsetsParameter));
}
