namespace ByzantineSim.Aggregators.MudHog;

/// <summary>Options of <see cref="MudHogAggregator"/>; defaults are those of the reference code (server.py, clients.py).</summary>
/// <param name="Eps">DBSCAN's radius on the short HoGs. <value>0.5 (MNIST; the reference sets 1.3 for Fashion-MNIST, 18 for CIFAR-10).</value></param>
/// <param name="MinSamples">DBSCAN's min_samples. <value>5 (the reference's set_AR_param writes another attribute, so 5 holds on every data set).</value></param>
/// <param name="Warmup">Rounds of plain averaging before detection starts (tau_0). <value>3.</value></param>
/// <param name="Delay">Consecutive rounds a suspicion must last before it is confirmed. <value>2.</value></param>
/// <param name="Window">Updates averaged into the short HoG (K_avg). <value>3.</value></param>
public sealed record MudHogOptions(double Eps, int MinSamples, int Warmup, int Delay, int Window)
{
    /// <summary>The <c>eps</c> option.</summary>
    public static readonly Parameter<double> EpsParameter = new(
        "eps", 0.5, "DBSCAN radius on the short histories (scale of the updates)", value => value > 0 ? null : "must be > 0");

    /// <summary>The <c>min_samples</c> option.</summary>
    public static readonly Parameter<int> MinSamplesParameter = new(
        "min_samples", 5, "DBSCAN core-point size, the point itself included", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>warmup</c> option.</summary>
    public static readonly Parameter<int> WarmupParameter = new(
        "warmup", 3, "rounds of plain averaging before detection starts (tau_0)", value => value >= 0 ? null : "must be >= 0");

    /// <summary>The <c>delay</c> option.</summary>
    public static readonly Parameter<int> DelayParameter = new(
        "delay", 2, "consecutive suspicious rounds before a client is confirmed", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>window</c> option.</summary>
    public static readonly Parameter<int> WindowParameter = new(
        "window", 3, "updates averaged into the short history", value => value >= 1 ? null : "must be >= 1");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static MudHogOptions Bind(OptionsBinder binder) =>
        new(binder.Get(EpsParameter), binder.Get(MinSamplesParameter), binder.Get(WarmupParameter), binder.Get(DelayParameter), binder.Get(WindowParameter));
}
