namespace ByzantineSim.Aggregators.Flag;

/// <summary>Options of <see cref="FlagAggregator"/>.</summary>
/// <param name="Rank">Dimension r of the subspace. <value>1 (the reference's <c>--r_col</c> default; its experiment scripts use 8 and 4).</value></param>
/// <param name="Lambda">Weight of the pairwise terms x_i - x_j. <value>0 (the reference's <c>--lambda_</c> default).</value></param>
/// <param name="Iterations">IRLS steps. <value>1 (the reference's <c>n_its</c>, fixed in <c>aggregators/flag.py</c>).</value></param>
public sealed record FlagOptions(int Rank, double Lambda, int Iterations)
{
    /// <summary>The <c>rank</c> option.</summary>
    public static readonly Parameter<int> RankParameter = new(
        "rank", 1, "dimension r of the subspace", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>lambda</c> option.</summary>
    public static readonly Parameter<double> LambdaParameter = new(
        "lambda", 0.0, "weight of the pairwise terms x_i - x_j", value => value >= 0 && double.IsFinite(value) ? null : "must be >= 0");

    /// <summary>The <c>iterations</c> option.</summary>
    public static readonly Parameter<int> IterationsParameter = new(
        "iterations", 1, "iteratively reweighted least-squares steps", value => value >= 1 ? null : "must be >= 1");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static FlagOptions Bind(OptionsBinder binder) => new(
        binder.Get(RankParameter),
        binder.Get(LambdaParameter),
        binder.Get(IterationsParameter));
}
