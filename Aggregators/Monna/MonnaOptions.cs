namespace ByzantineSim.Aggregators.Monna;

/// <summary>Options of <see cref="MonnaAggregator"/>.</summary>
/// <param name="Trusted">
/// Index of the trusted input (the server's own or a known-honest client's update), whose n - f
/// nearest neighbours are averaged. The simulator orders updates by client id, so index 0 is the
/// client with the lowest id; the run must make that client honest for the guarantee to hold.
/// <value>0.</value>
/// </param>
public sealed record MonnaOptions(int Trusted)
{
    /// <summary>The <c>trusted</c> option.</summary>
    public static readonly Parameter<int> TrustedParameter = new(
        "trusted", 0, "index of the trusted (honest) input among the n ordered by client id", value => value >= 0 ? null : "must be >= 0");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static MonnaOptions Bind(OptionsBinder binder) => new(binder.Get(TrustedParameter));
}
