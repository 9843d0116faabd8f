using ByzantineSim.Aggregators.Arc;
using ByzantineSim.Aggregators.Bucketing;
using ByzantineSim.Aggregators.Bulyan;
using ByzantineSim.Aggregators.Caf;
using ByzantineSim.Aggregators.CenteredClipping;
using ByzantineSim.Aggregators.ClippedClustering;
using ByzantineSim.Aggregators.Cge;
using ByzantineSim.Aggregators.Clipping;
using ByzantineSim.Aggregators.Dnc;
using ByzantineSim.Aggregators.Flag;
using ByzantineSim.Aggregators.Flame;
using ByzantineSim.Aggregators.FlTrust;
using ByzantineSim.Aggregators.FoolsGold;
using ByzantineSim.Aggregators.GeometricMedian;
using ByzantineSim.Aggregators.Krum;
using ByzantineSim.Aggregators.Mda;
using ByzantineSim.Aggregators.Meamed;
using ByzantineSim.Aggregators.Mean;
using ByzantineSim.Aggregators.Median;
using ByzantineSim.Aggregators.Monna;
using ByzantineSim.Aggregators.MudHog;
using ByzantineSim.Aggregators.MultiKrum;
using ByzantineSim.Aggregators.Nnm;
using ByzantineSim.Aggregators.Smea;
using ByzantineSim.Aggregators.SignGuard;
using ByzantineSim.Aggregators.TrimmedMean;

namespace ByzantineSim.Aggregators;

/// <summary>The aggregators and pre-aggregators that ship with ByzantineSim, registered by name.</summary>
public static class BuiltInAggregators
{
    /// <summary>
    /// The option every aggregator and pre-aggregator accepts: how many Byzantine inputs it is
    /// told to tolerate. Defaults to the run's number of Byzantine clients.
    /// </summary>
    public static readonly Parameter<int?> FParameter =
        Parameter.ComputedCount("f", "Byzantine inputs the rule is told to tolerate", 0, "clients.f");

    /// <summary>
    /// The built-in rules with a sample-weighted form (<see cref="IAggregator.SupportsWeights"/>),
    /// which errors name. Only the mean: the robust rules' guarantees count clients (n > 2f), and
    /// weighting them by claimed sample counts would change what they guarantee.
    /// </summary>
    public static readonly ImmutableArray<string> Weighted = [MeanAggregator.RegistryName];

    /// <summary>Every built-in aggregation rule.</summary>
    public static PluginRegistry<AggregatorDescriptor> Aggregators { get; } = new("aggregator",
    [
        new AggregatorDescriptor(
            MeanAggregator.RegistryName,
            "coordinate-wise average; not robust, poisoned by a single NaN",
            "n >= 1",
            "baseline (FedAvg)",
            [],
            (_, f) => new MeanAggregator(f)),
        new AggregatorDescriptor(
            KrumAggregator.RegistryName,
            "the input with the smallest sum of squared distances to its nearest neighbours",
            "n > 2f + 2",
            "Blanchard, El Mhamdi, Guerraoui, Stainer, NeurIPS 2017, arXiv 1703.02757",
            [KrumOptions.NeighboursParameter],
            (binder, f) => new KrumAggregator(f, KrumOptions.Bind(binder))),
        new AggregatorDescriptor(
            CafAggregator.RegistryName,
            "covariance-bound agnostic filter: down-weights inputs along the top eigenvector of the weighted covariance, returns the weighted mean of the smallest top eigenvalue seen (exact eigen-solves)",
            "n > 2f",
            "Allouah, Guerraoui, Stephan, ICML 2025, arXiv 2505.01874",
            [CafOptions.MaxIterationsParameter, CafOptions.TauMaxParameter],
            (binder, f) => new CafAggregator(f, CafOptions.Bind(binder))),
        new AggregatorDescriptor(
            CgeAggregator.RegistryName,
            "average of the n - f smallest-norm inputs (comparative gradient elimination)",
            "n > 2f",
            "Gupta, Liu, Vaidya, 2020, arXiv 2008.04699",
            [CgeOptions.ReduceParameter],
            (binder, f) => new CgeAggregator(f, CgeOptions.Bind(binder))),
        new AggregatorDescriptor(
            CenteredClippingAggregator.RegistryName,
            "clipped steps from the previous aggregate (stateful)",
            "n > 2f",
            "Karimireddy, He, Jaggi, ICML 2021, arXiv 2012.10333",
            [CenteredClippingOptions.TauParameter, CenteredClippingOptions.IterationsParameter],
            (binder, f) => new CenteredClippingAggregator(f, CenteredClippingOptions.Bind(binder))),
        new AggregatorDescriptor(
            MedianAggregator.RegistryName,
            "coordinate-wise median (even n: mean of the two middle values)",
            "n > 2f",
            "Yin, Chen, Ramchandran, Bartlett, ICML 2018, arXiv 1803.01498",
            [],
            (_, f) => new MedianAggregator(f)),
        new AggregatorDescriptor(
            TrimmedMeanAggregator.RegistryName,
            "coordinate-wise mean after dropping the f smallest and f largest values",
            "n > 2f",
            "Yin, Chen, Ramchandran, Bartlett, ICML 2018, arXiv 1803.01498",
            [],
            (_, f) => new TrimmedMeanAggregator(f)),
        new AggregatorDescriptor(
            GeometricMedianAggregator.RegistryName,
            "geometric median by smoothed Weiszfeld iterations (RFA)",
            "n > 2f",
            "Pillutla, Kakade, Harchaoui, 2019, arXiv 1912.13445",
            [GeometricMedianOptions.NuParameter, GeometricMedianOptions.IterationsParameter, GeometricMedianOptions.StartParameter, GeometricMedianOptions.ToleranceParameter],
            (binder, f) => new GeometricMedianAggregator(f, GeometricMedianOptions.Bind(binder))),
        new AggregatorDescriptor(
            MultiKrumAggregator.RegistryName,
            "average of the m inputs with the best Krum scores (one pass) or chosen by repeated Krum",
            "n > 2f + 2, m <= n and neighbours <= n - 1",
            "Blanchard, El Mhamdi, Guerraoui, Stainer, NeurIPS 2017, arXiv 1703.02757",
            [MultiKrumOptions.SelectedParameter, MultiKrumOptions.NeighboursParameter, MultiKrumOptions.VariantParameter],
            (binder, f) => new MultiKrumAggregator(f, MultiKrumOptions.Bind(binder))),
        new AggregatorDescriptor(
            MdaAggregator.RegistryName,
            "mean of the (n - f)-subset of smallest diameter (exact, branch and bound)",
            "n > 2f and C(n, f) <= max_subsets",
            "El Mhamdi, Guerraoui, Rouault, ICLR 2021, arXiv 2003.00010",
            [MdaOptions.MaxSubsetsParameter],
            (binder, f) => new MdaAggregator(f, MdaOptions.Bind(binder))),
        new AggregatorDescriptor(
            BulyanAggregator.RegistryName,
            "n - 2f inputs chosen by repeated Krum, then per coordinate the mean of the n - 4f closest to the median",
            "n >= 4f + 3",
            "El Mhamdi, Guerraoui, Rouault, ICML 2018, arXiv 1802.07927",
            [],
            (_, f) => new BulyanAggregator(f)),
        new AggregatorDescriptor(
            MeamedAggregator.RegistryName,
            "per coordinate, the mean of the n - f values closest to the median",
            "n > 2f",
            "Xie, Koyejo, Gupta, 2018, arXiv 1802.10116",
            [],
            (_, f) => new MeamedAggregator(f)),
        new AggregatorDescriptor(
            MonnaAggregator.RegistryName,
            "mean of the n - f inputs nearest to a trusted input (index 0 by default: the lowest client id, assumed honest)",
            "n > 2f and trusted < n",
            "Farhadkhani, Guerraoui, Gupta, Hoang, Pinot, Stephan, ICML 2023, arXiv 2209.10931",
            [MonnaOptions.TrustedParameter],
            (binder, f) => new MonnaAggregator(f, MonnaOptions.Bind(binder))),
        new AggregatorDescriptor(
            SmeaAggregator.RegistryName,
            "mean of the (n - f)-subset whose covariance has the smallest largest eigenvalue (exact, branch and bound)",
            "n > 2f and C(n, f) <= max_subsets",
            "Allouah, Guerraoui, Gupta, Pinot, Stephan, ICML 2023, arXiv 2302.04787",
            [SmeaOptions.MaxSubsetsParameter],
            (binder, f) => new SmeaAggregator(f, SmeaOptions.Bind(binder))),
        new AggregatorDescriptor(
            ClippedClusteringAggregator.RegistryName,
            "clip to the median norm (over the run's history), split in two by agglomerative clustering on cosine distances, average the larger cluster",
            "n > 2f and n >= 2",
            "Li et al., \"An Experimental Study of Byzantine-Robust Aggregation Schemes in Federated Learning\", IEEE Transactions on Big Data 2023 (as in Blades)",
            [ClippedClusteringOptions.HistoryParameter, ClippedClusteringOptions.MaxThresholdParameter, ClippedClusteringOptions.LinkageParameter],
            (binder, f) => new ClippedClusteringAggregator(f, ClippedClusteringOptions.Bind(binder))),
        new AggregatorDescriptor(
            DncAggregator.RegistryName,
            "divide-and-conquer: drop the floor(c f) top outlier scores along the top singular vector of random coordinate subsamples, average the rest",
            "n > 2f and floor(c f) < n",
            "Shejwalkar, Houmansadr, \"Manipulating the Byzantine\", NDSS 2021",
            [DncOptions.SubsampleParameter, DncOptions.IterationsParameter, DncOptions.FilterFractionParameter],
            (binder, f) => new DncAggregator(f, DncOptions.Bind(binder))),
        new AggregatorDescriptor(
            FlagAggregator.RegistryName,
            "flag median subspace of the unit rows by iteratively reweighted least squares; the unit rows' sum projected on it, over r",
            "n >= 1",
            "Almasi, Mishra, Vamanan, Ravi, arXiv 2302.05865 (reference code hamidralmasi/FlagAggregator)",
            [FlagOptions.RankParameter, FlagOptions.LambdaParameter, FlagOptions.IterationsParameter],
            (binder, f) => new FlagAggregator(f, FlagOptions.Bind(binder))),
        new AggregatorDescriptor(
            FlameAggregator.RegistryName,
            "HDBSCAN majority cluster on cosine distances, clipped to the median norm, averaged, plus Gaussian noise of std lambda x the median norm",
            "n > 2f",
            "Nguyen et al., \"FLAME: Taming Backdoors in Federated Learning\", USENIX Security 2022, arXiv 2101.02281",
            [FlameOptions.LambdaParameter],
            (binder, f) => new FlameAggregator(f, FlameOptions.Bind(binder))),
        new AggregatorDescriptor(
            SignGuardAggregator.RegistryName,
            "keep rows with norm in (L M, R M) (M the median norm) in the largest mean-shift cluster of sign statistics; mean of them clipped to M",
            "n > 2f and lower_bound < upper_bound",
            "Xu, Huang, Song, Lan, ICDCS 2022, arXiv 2109.05872",
            [SignGuardOptions.LowerBoundParameter, SignGuardOptions.UpperBoundParameter, SignGuardOptions.SignFractionParameter],
            (binder, f) => new SignGuardAggregator(f, SignGuardOptions.Bind(binder))),
        new AggregatorDescriptor(
            FlTrustAggregator.RegistryName,
            "trust-weighted mean of the updates rescaled to the server's update norm, trust = ReLU(cosine to the server's update) (needs server_data)",
            "n >= 1 and server_data",
            "Cao, Fang, Liu, Gong, NDSS 2021, arXiv 2012.13995",
            [],
            (_, f) => new FlTrustAggregator(f)),
        new AggregatorDescriptor(
            FoolsGoldAggregator.RegistryName,
            "weighted mean, weights from the dissimilarity of the clients' summed-update histories (stateful, needs client ids)",
            "n >= 1",
            "Fung, Yoon, Beschastnikh, RAID 2020, arXiv 1808.04866",
            [FoolsGoldOptions.KappaParameter],
            (binder, f) => new FoolsGoldAggregator(f, FoolsGoldOptions.Bind(binder))),
        new AggregatorDescriptor(
            MudHogAggregator.RegistryName,
            "mean of the clients not detected as sign-flipping, noisy or targeted from their long and short update histories; also reports unreliable clients (stateful, needs client ids)",
            "n >= 1",
            "Gupta, Luo, Ngo, Das, 2022, arXiv 2208.10273",
            [MudHogOptions.EpsParameter, MudHogOptions.MinSamplesParameter, MudHogOptions.WarmupParameter, MudHogOptions.DelayParameter, MudHogOptions.WindowParameter],
            (binder, f) => new MudHogAggregator(f, MudHogOptions.Bind(binder))),
    ]);

    /// <summary>Every built-in pre-aggregation step.</summary>
    public static PluginRegistry<PreAggregatorDescriptor> PreAggregators { get; } = new("pre-aggregator",
    [
        new PreAggregatorDescriptor(
            NnmPreAggregator.RegistryName,
            "nearest neighbour mixing: each input becomes the mean of its n - f nearest (itself included)",
            "n > 2f",
            "Allouah, Farhadkhani, Guerraoui, Gupta, Pinot, Stephan, AISTATS 2023, arXiv 2302.01772",
            [],
            (_, f) => new NnmPreAggregator(f)),
        new PreAggregatorDescriptor(
            BucketingPreAggregator.RegistryName,
            "random buckets of s inputs (permutation from the round's seed), each replaced by its mean",
            "n >= 1",
            "Karimireddy, He, Jaggi, ICLR 2022, arXiv 2006.09365",
            [BucketingOptions.BucketSizeParameter],
            (binder, f) => new BucketingPreAggregator(f, BucketingOptions.Bind(binder))),
        new PreAggregatorDescriptor(
            ClippingPreAggregator.RegistryName,
            "each input scaled to norm at most c (non-finite inputs become zero)",
            "n >= 1",
            "static clipping as in ByzFL; Karimireddy, He, Jaggi, ICML 2021, arXiv 2012.10333",
            [ClippingOptions.ThresholdParameter],
            (binder, f) => new ClippingPreAggregator(f, ClippingOptions.Bind(binder))),
        new PreAggregatorDescriptor(
            ArcPreAggregator.RegistryName,
            "adaptive robust clipping: the floor(2 (f/n) (n - f)) largest inputs clipped to the next largest norm",
            "n > 2f",
            "Allouah, Guerraoui, Gupta, Jellouli, Rizk, Stephan, NeurIPS 2024, arXiv 2405.14432",
            [],
            (_, f) => new ArcPreAggregator(f)),
    ]);

    /// <summary>Binds an aggregator's raw options; <c>f</c> defaults to <paramref name="defaultF"/>.</summary>
    public static (IAggregator Aggregator, ImmutableArray<PluginError> Errors) Bind(
        AggregatorDescriptor descriptor, IReadOnlyDictionary<string, string> raw, int defaultF)
        => OptionsBinder.Bind(descriptor.Name, raw, binder => descriptor.Create(binder, binder.Get(FParameter) ?? defaultF));

    /// <summary>Binds a pre-aggregator's raw options; <c>f</c> defaults to <paramref name="defaultF"/>.</summary>
    public static (IPreAggregator PreAggregator, ImmutableArray<PluginError> Errors) Bind(
        PreAggregatorDescriptor descriptor, IReadOnlyDictionary<string, string> raw, int defaultF)
        => OptionsBinder.Bind(descriptor.Name, raw, binder => descriptor.Create(binder, binder.Get(FParameter) ?? defaultF));

    /// <summary>Creates an aggregator by name (tests, benchmarks); throws on unknown names or bad options.</summary>
    public static IAggregator Create(string name, int f, IReadOnlyDictionary<string, string>? options = null) =>
        Aggregators.Create(name, options, (descriptor, raw) => Bind(descriptor, raw, f));

    /// <summary>Creates a pre-aggregator by name (tests, benchmarks); throws on unknown names or bad options.</summary>
    public static IPreAggregator CreatePreAggregator(string name, int f, IReadOnlyDictionary<string, string>? options = null) =>
        PreAggregators.Create(name, options, (descriptor, raw) => Bind(descriptor, raw, f));

    /// <summary>
    /// Builds a pipeline from a spec such as <c>nnm&gt;krum</c> (pre-aggregators in order, then the
    /// aggregator, separated by '&gt;'), every step with default options and the same f.
    /// </summary>
    public static AggregationPipeline CreatePipeline(string spec, int f)
    {
        var steps = spec.Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (steps.Length == 0)
        {
            throw new ArgumentException("empty pipeline", nameof(spec));
        }

        return new AggregationPipeline(
            Create(steps[^1], f),
            [.. steps[..^1].Select(name => CreatePreAggregator(name, f))]);
    }
}
