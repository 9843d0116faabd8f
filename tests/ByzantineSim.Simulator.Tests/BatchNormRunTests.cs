namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// Whole runs of ResNet-20 on generated CIFAR-10 files in each batch-norm mode: repeatable
/// whatever the number of trainers; training the same in every mode (batch statistics), local's
/// evaluation that of batch (the global model has no statistics of its own), aggregated's not.
/// </summary>
public sealed class BatchNormRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("batch-norm-runs-").FullName;

    public BatchNormRunTests() => GeneratedCifar.WriteCifar10(_folder, perBatch: 8, test: 12);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<RunResult> Run(BatchNormMode mode, int trainers)
    {
        DatasetCatalog.Registry.TryGet("cifar-10", out var cifar);
        var data = DatasetCatalog.Bind(cifar, new Dictionary<string, string> { ["folder"] = _folder }).Source;
        var setup = TinyRun.Setup("mean", honest: 3, byzantine: 0, rounds: 2, batchSize: 4, learningRate: 0.05, workerMomentum: 0,
            training: t => t with { EvalEvery = 1 }) with
        {
            Data = data,
            Partitioner = new IidPartitioner(),
            Model = ResidualNetworks.ResNet20.WithBatchNorm(mode),
        };
        await using var simulator = SimulatorSystem.Create(trainers, $"batch-norm-{mode}-{trainers}");
        return await simulator.RunAsync(setup);
    }

    private static string Training(RunResult result) => string.Join(";", result.Rounds.Select(r => $"{r.Round},{r.TrainLoss:R},{r.Aggregated}"));

    private static string Evaluations(RunResult result) => string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TestAccuracy:R},{e.TestLoss:R}"));

    [Fact]
    public async Task EveryMode_OneOrTwoTrainers_IdenticalRecords_LocalEvaluatesAsBatch_AggregatedWithItsOwnStatistics()
    {
        var batch = await Run(BatchNormMode.Batch, 2);
        var local = await Run(BatchNormMode.Local, 2);
        var aggregated = await Run(BatchNormMode.Aggregated, 2);
        Assert.Equal(3, batch.Evaluations.Length); // the initial model and after each round
        Assert.All(aggregated.Rounds, r => Assert.Equal(3, r.Aggregated));

        Assert.Equal(Training(batch), Training(local));
        Assert.Equal(Training(batch), Training(aggregated));
        Assert.Equal(Evaluations(batch), Evaluations(local));
        Assert.All(batch.Evaluations.Zip(aggregated.Evaluations), pair => Assert.NotEqual(pair.First.TestLoss, pair.Second.TestLoss));

        var aggregatedOnOne = await Run(BatchNormMode.Aggregated, 1);
        Assert.Equal((Training(aggregated), Evaluations(aggregated)), (Training(aggregatedOnOne), Evaluations(aggregatedOnOne)));
        var localOnOne = await Run(BatchNormMode.Local, 1);
        Assert.Equal((Training(local), Evaluations(local)), (Training(localOnOne), Evaluations(localOnOne)));
    }
}
