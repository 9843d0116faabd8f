namespace ByzantineSim.Aggregators.Flame;

/// <summary>Options of <see cref="FlameAggregator"/>.</summary>
/// <param name="Lambda">
/// Noise level: Gaussian noise of standard deviation lambda S_t (S_t the median update norm) is
/// added to every coordinate of the aggregate; 0 adds none. <value>0.001 (the paper's value for
/// image classification).</value>
/// </param>
public sealed record FlameOptions(double Lambda)
{
    /// <summary>The <c>lambda</c> option.</summary>
    public static readonly Parameter<double> LambdaParameter = new(
        "lambda", 0.001, "noise level: the added Gaussian noise has std lambda x the median norm (0: no noise)", value => value >= 0 && double.IsFinite(value) ? null : "must be >= 0");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static FlameOptions Bind(OptionsBinder binder) => new(binder.Get(LambdaParameter));
}
