namespace ByzantineSim.Aggregators.Cge;

/// <summary>Options of <see cref="CgeAggregator"/>.</summary>
/// <param name="Sum">
/// Return the sum of the kept inputs instead of their average. <value>false (average); the
/// paper's update step is written with the sum, which equals the average times n - f.</value>
/// </param>
public sealed record CgeOptions(bool Sum)
{
    /// <summary>The <c>reduce</c> option.</summary>
    public static readonly Parameter<string> ReduceParameter = new(
        "reduce",
        "mean",
        "combine the n - f smallest-norm inputs by their mean or their sum",
        Choices: ["mean", "sum"]);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static CgeOptions Bind(OptionsBinder binder) => new(binder.Get(ReduceParameter) == "sum");
}
