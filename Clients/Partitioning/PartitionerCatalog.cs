namespace ByzantineSim.Clients.Partitioning;

/// <summary>The built-in partitioners.</summary>
public static class PartitionerCatalog
{
    /// <summary>Common option: how many clients (the first ids, which are honest) get noisy labels.</summary>
    public static readonly Parameter<int> NoisyClientsParameter = new(
        "noisy_clients", 0, "clients 0..k-1 (honest) get label noise", v => v >= 0 ? null : "must be >= 0");

    /// <summary>Common option: the share of a noisy client's labels replaced at random.</summary>
    public static readonly Parameter<double> NoiseFractionParameter = new(
        "noise_fraction", 0.5, "share of a noisy client's labels replaced by another class", v => v is >= 0 and <= 1 ? null : "must be in [0, 1]");

    /// <summary>
    /// Common option: whether the Byzantine clients hold a share of the training set (true) or the
    /// data is split among the honest clients only (false, the protocol of Karimireddy et al. 2022).
    /// </summary>
    public static readonly Parameter<bool> ByzantineDataParameter = new(
        "byzantine_data", true, "Byzantine clients hold data too; false splits it among the honest clients only");

    /// <summary>
    /// Common option: classes whose training samples every Byzantine client holds a copy of, while
    /// the honest clients split the training set among themselves (FoolsGold's sybil layout; empty,
    /// the default, leaves the partition as it is).
    /// </summary>
    public static readonly Parameter<ImmutableArray<int>> ByzantineClassesParameter = new(
        "byzantine_classes",
        [],
        "every Byzantine client holds a copy of all samples of these classes; the honest clients split the data among themselves",
        classes => !classes.IsDefault && classes.Any(c => c < 0) ? "must list class labels >= 0" : null);

    private static readonly Parameter<int> ShardsParameter = new(
        "shards_per_client", 2, "label-sorted shards per client", v => v >= 1 ? null : "must be >= 1");

    private static readonly Parameter<int> GroupsParameter = new(
        "groups", 2, "client groups, each holding its own block of classes", v => v >= 1 ? null : "must be >= 1");

    private static readonly Parameter<double> GammaParameter = new(
        "gamma", 0.5, "share of IID data: 1 = IID, 0 = extreme label split", v => v is >= 0 and <= 1 ? null : "must be in [0, 1]");

    private static readonly Parameter<double> BetaParameter = new(
        "beta", 1.0, "Dirichlet concentration of client sizes: small = very unequal", v => v > 0 ? null : "must be > 0");

    private static readonly Parameter<double> AlphaParameter = new(
        "alpha", 1.0, "Dirichlet concentration: small = few classes per client, large = near IID", v => v > 0 ? null : "must be > 0");

    private static readonly Parameter<int> SamplesPerClientParameter = new(
        "samples_per_client", 10, "distinct samples each client draws for itself (clients may share samples)", v => v >= 1 ? null : "must be >= 1");

    private static readonly Parameter<double> ClassMixParameter = new(
        "alpha", 0.0, "Dirichlet concentration of each client's class mix; 0 draws uniformly (IID)", v => v >= 0 ? null : "must be >= 0");

    private static readonly Parameter<int> MinSamplesParameter = new(
        "min_samples", 10, "redraw until every client has at least this many samples", v => v >= 1 ? null : "must be >= 1");

    /// <summary>Every built-in partitioner.</summary>
    public static PluginRegistry<PluginDescriptor<IPartitioner>> Registry { get; } = new("partitioner",
    [
        new PluginDescriptor<IPartitioner>(IidPartitioner.RegistryName, "uniform random split, equal sizes", [], _ => new IidPartitioner()),
        new PluginDescriptor<IPartitioner>(
            DirichletPartitioner.RegistryName,
            "label skew: per class, client shares ~ Dir(alpha)",
            [AlphaParameter, MinSamplesParameter],
            binder => new DirichletPartitioner(binder.Get(AlphaParameter), binder.Get(MinSamplesParameter))),
        new PluginDescriptor<IPartitioner>(
            ShardPartitioner.RegistryName,
            "pathological: label-sorted shards, k per client (about k classes each)",
            [ShardsParameter],
            binder => new ShardPartitioner(binder.Get(ShardsParameter))),
        new PluginDescriptor<IPartitioner>(
            GammaSimilarityPartitioner.RegistryName,
            "a share gamma split IID, the rest label-sorted (ByzFL)",
            [GammaParameter],
            binder => new GammaSimilarityPartitioner(binder.Get(GammaParameter))),
        new PluginDescriptor<IPartitioner>(
            ClassGroupsPartitioner.RegistryName,
            "clients in contiguous groups, each group IID over its own block of classes (the dumbbell experiment's split)",
            [GroupsParameter],
            binder => new ClassGroupsPartitioner(binder.Get(GroupsParameter))),
        new PluginDescriptor<IPartitioner>(
            QuantitySkewPartitioner.RegistryName,
            "IID labels, client sizes ~ Dir(beta)",
            [BetaParameter, MinSamplesParameter],
            binder => new QuantitySkewPartitioner(binder.Get(BetaParameter), binder.Get(MinSamplesParameter))),
        new PluginDescriptor<IPartitioner>(
            NaturalPartitioner.RegistryName,
            "one client per user of a LEAF data set (femnist, shakespeare); users sampled when clients are fewer",
            [],
            _ => new NaturalPartitioner()),
        new PluginDescriptor<IPartitioner>(
            SampledPartitioner.RegistryName,
            "cross-device: each client draws its own samples_per_client samples (class mix ~ Dir(alpha) when alpha > 0); any number of clients",
            [SamplesPerClientParameter, ClassMixParameter],
            binder => new SampledPartitioner(binder.Get(SamplesPerClientParameter), binder.Get(ClassMixParameter))),
    ]);

    /// <summary>
    /// Binds a partitioner's raw options, including the common label-noise, <c>byzantine_data</c>
    /// and <c>byzantine_classes</c> options; <paramref name="byzantine"/> is the run's Byzantine count.
    /// </summary>
    public static (IPartitioner Partitioner, ImmutableArray<PluginError> Errors) Bind(
        PluginDescriptor<IPartitioner> descriptor, IReadOnlyDictionary<string, string> raw, int byzantine = 0)
        => OptionsBinder.Bind(descriptor.Name, raw, binder =>
        {
            int noisy = binder.Get(NoisyClientsParameter);
            double fraction = binder.Get(NoiseFractionParameter);
            bool byzantineData = binder.Get(ByzantineDataParameter);
            var byzantineClasses = binder.Get(ByzantineClassesParameter);
            var partitioner = descriptor.Create(binder);
            partitioner = noisy > 0 && fraction > 0 ? new LabelNoise(partitioner, noisy, fraction) : partitioner;
            if (!byzantineClasses.IsDefaultOrEmpty)
            {
                if (!byzantineData)
                {
                    binder.Error(ByzantineClassesParameter.Name, "gives the Byzantine clients data, which byzantine_data: false withholds; give one of the two");
                }

                return byzantine == 0 ? partitioner : new ByzantineClassCopies(partitioner, byzantine, byzantineClasses);
            }

            return byzantineData || byzantine == 0 ? partitioner : new HonestDataOnly(partitioner, byzantine);
        });
}
