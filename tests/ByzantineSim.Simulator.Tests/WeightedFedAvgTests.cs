namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// Sample-size-weighted FedAvg through the real actors: the server weights each update by its
/// client's sample count, which changes the run when the clients' shares differ, and only then.
/// </summary>
public sealed class WeightedFedAvgTests : IAsyncLifetime
{
    private SimulatorSystem _simulator = null!;

    public Task InitializeAsync()
    {
        _simulator = SimulatorSystem.Create(trainers: 2, name: "weighted-fedavg-tests");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    private static RunSetup FedAvg(IPartitioner partitioner, UpdateWeighting weighting) =>
        TinyRun.Setup("mean", honest: 8, byzantine: 0, rounds: 6, partitioner: partitioner, workerMomentum: 0, training: t => t with
        {
            Algorithm = LocalMode.LocalSteps,
            LocalSteps = 3,
            LocalLearningRate = 0.2,
            LearningRate = LearningRateSchedule.Constant(1.0),
            Weighting = weighting,
        });

    [Fact]
    public async Task UnequalShares_WeightedRunDiffersFromTheUnweightedOne()
    {
        // Quantity skew with a small beta: a few large clients and many small ones.
        var partitioner = new QuantitySkewPartitioner(0.3, 10);
        var unweighted = await _simulator.RunAsync(FedAvg(partitioner, UpdateWeighting.None));
        var weighted = await _simulator.RunAsync(FedAvg(partitioner, UpdateWeighting.Samples));
        Assert.Equal(unweighted.Evaluations[0].TestLoss, weighted.Evaluations[0].TestLoss);
        Assert.True(Math.Abs(unweighted.Final.TestLoss - weighted.Final.TestLoss) > 1e-3,
            $"test loss {unweighted.Final.TestLoss} unweighted, {weighted.Final.TestLoss} weighted");
        Assert.True(weighted.Final.TestAccuracy > weighted.Evaluations[0].TestAccuracy + 0.2,
            $"weighted FedAvg did not learn: accuracy {weighted.Evaluations[0].TestAccuracy} -> {weighted.Final.TestAccuracy}");
    }

    [Fact]
    public async Task EqualShares_WeightedRunIsTheUnweightedOneUpToRounding()
    {
        // 1200 samples over 8 clients: 150 each, so every weight is 1/8.
        var unweighted = await _simulator.RunAsync(FedAvg(new IidPartitioner(), UpdateWeighting.None));
        var weighted = await _simulator.RunAsync(FedAvg(new IidPartitioner(), UpdateWeighting.Samples));
        Assert.Equal(unweighted.Final.TestLoss, weighted.Final.TestLoss, 4);
        Assert.Equal(unweighted.Final.TestAccuracy, weighted.Final.TestAccuracy, 2);
    }
}
