namespace ByzantineSim.Attacks.Gaussian;

/// <summary>Options of <see cref="GaussianAttack"/>.</summary>
/// <param name="Mean">Mean of every coordinate. <value>0</value></param>
/// <param name="Sigma">Standard deviation of every coordinate. <value>1 (some papers use 200)</value></param>
/// <param name="Same">All Byzantine clients send one shared draw. <value>false: one draw per client</value></param>
public sealed record GaussianOptions(double Mean, double Sigma, bool Same)
{
    /// <summary>The <c>mean</c> option.</summary>
    public static readonly Parameter<double> MeanParameter = new("mean", 0.0, "mean of each coordinate");

    /// <summary>The <c>sigma</c> option.</summary>
    public static readonly Parameter<double> SigmaParameter = new(
        "sigma", 1.0, "standard deviation of each coordinate", value => value >= 0 ? null : "must be >= 0");

    /// <summary>The <c>same</c> option.</summary>
    public static readonly Parameter<bool> SameParameter = new(
        "same", false, "all Byzantine clients send one shared draw instead of one each");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static GaussianOptions Bind(OptionsBinder binder) =>
        new(binder.Get(MeanParameter), binder.Get(SigmaParameter), binder.Get(SameParameter));
}
