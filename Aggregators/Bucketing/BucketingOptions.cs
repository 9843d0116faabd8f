namespace ByzantineSim.Aggregators.Bucketing;

/// <summary>Options of <see cref="BucketingPreAggregator"/>.</summary>
/// <param name="BucketSize">Inputs averaged per bucket, s. <value>2, the common choice (Karimireddy et al. 2022).</value></param>
public sealed record BucketingOptions(int BucketSize)
{
    /// <summary>The <c>s</c> option.</summary>
    public static readonly Parameter<int> BucketSizeParameter = new(
        "s", 2, "inputs averaged per bucket (the last bucket may be smaller)", value => value >= 1 ? null : "must be >= 1");

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static BucketingOptions Bind(OptionsBinder binder) => new(binder.Get(BucketSizeParameter));
}
