namespace ByzantineSim.Simulator.Tests;

/// <summary>Small, fast runs on synthetic data for protocol tests.</summary>
public static class TinyRun
{
    public static readonly SyntheticOptions Data = new(Classes: 4, Features: 8, TrainSize: 1200, TestSize: 300, Seed: 11);

    public static RunSetup Setup(
        string aggregator = "cge",
        IAttack? attack = null,
        int honest = 7,
        int byzantine = 2,
        int rounds = 6,
        NonFinitePolicy nonFinite = NonFinitePolicy.Pass,
        TimeSpan? timeout = null,
        ulong seed = 5,
        Dictionary<string, string>? aggregatorOptions = null,
        FaultSettings? faults = null,
        double deadline = double.PositiveInfinity,
        ThreatModel? threat = null,
        IPartitioner? partitioner = null,
        double workerMomentum = 0.5,
        double learningRate = 0.2,
        Dictionary<string, string>? data = null,
        int hidden = 8,
        int batchSize = 16,
        Func<TrainingSettings, TrainingSettings>? training = null)
    {
        // A spec with '>' is a pipeline of pre-aggregators and a rule, each with its defaults.
        Func<AggregationPipeline> pipeline = aggregator.Contains('>', StringComparison.Ordinal)
            ? () => BuiltInAggregators.CreatePipeline(aggregator, byzantine)
            : () => new AggregationPipeline(BuiltInAggregators.Create(aggregator, byzantine, aggregatorOptions));
        return new RunSetup(
            $"tiny-{aggregator}-{attack?.Name ?? "none"}",
            seed,
            DatasetCatalog.Registry.TryGet("synthetic", out var synthetic)
                ? DatasetCatalog.Bind(synthetic, data ?? new Dictionary<string, string>
                {
                    ["classes"] = "4", ["features"] = "8", ["train_size"] = "1200", ["test_size"] = "300", ["seed"] = "11",
                }).Source
                : throw new InvalidOperationException(),
            partitioner ?? new IidPartitioner(),
            new MultiLayerPerceptron([hidden]),
            honest,
            byzantine,
            (training ?? (t => t))(new TrainingSettings(rounds, batchSize, LearningRateSchedule.Constant(learningRate), 0, workerMomentum, MomentumForm.Average, 0, 3)),
            pipeline,
            attack ?? NoAttack.Instance,
            threat ?? ThreatModel.Default,
            new ServerSettings(timeout ?? TimeSpan.FromMinutes(30), nonFinite, deadline),
            faults ?? FaultSettings.None)
        {
            // A rule that compares the updates with the server's own (FLTrust) gets 100 root samples.
            ServerData = pipeline().Aggregator.NeedsServerUpdate ? new ServerDataSettings(100, ServerDataSource.Train, seed) : null,
        };
    }
}
