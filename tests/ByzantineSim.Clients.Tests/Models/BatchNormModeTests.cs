using System.Collections.Immutable;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Tests.Models;

/// <summary>
/// ResNet-20's batch normalisation in its three modes (<see cref="BatchNormMode"/>) through the
/// trainer's code path: the running statistics a batch leaves behind, checked against PyTorch's
/// update rule computed here from the first convolution's output; training gradients that do not
/// depend on the mode; and evaluation with the server's statistics (aggregated) or with batch
/// statistics (local, as batch).
/// </summary>
public sealed class BatchNormModeTests
{
    private static readonly ImmutableArray<int> Shape = [3, 8, 8];

    /// <summary>16 random 3 x 8 x 8 images in 10 classes, values of either sign and spread, so every channel has its own mean and variance.</summary>
    private static Dataset Images()
    {
        var random = new DeterministicRandom(17);
        var features = new float[16 * 192];
        for (int k = 0; k < features.Length; k++)
        {
            features[k] = (float)((3 * random.NextDouble()) - 1);
        }

        return new Dataset("images", Shape, 10, features, [.. Enumerable.Range(0, 16).Select(i => i % 10)]);
    }

    private static ModelRunner Runner(BatchNormMode mode) => new(ResidualNetworks.ResNet20.WithBatchNorm(mode), Shape, 10);

    private static LocalWork Gradient(params int[] batch) =>
        new(LocalMode.Gradient, [[.. batch]], 0, 0, null, null);

    [Fact]
    public void BatchMode_KeepsNoStatistics_RunningModesKeepAMeanAndVariancePerChannel()
    {
        using var batch = Runner(BatchNormMode.Batch);
        Assert.Equal(0, batch.StatisticsCount);
        Assert.Empty(batch.InitialStatistics());

        // ResNet-20: 7 layers of 16 channels, 6 of 32 and 6 of 64 (the stem's and two per block), mean and variance each.
        using var local = Runner(BatchNormMode.Local);
        Assert.Equal(2 * ((7 * 16) + (6 * 32) + (6 * 64)), local.StatisticsCount);
        var initial = local.InitialStatistics();
        Assert.All(initial[..16], v => Assert.Equal(0f, v));
        Assert.All(initial[16..32], v => Assert.Equal(1f, v));
    }

    /// <summary>
    /// TorchSharp 0.107's batch norm counts batches with <c>num_batches_tracked.add_(1)</c>, an
    /// overload that builds two Scalars it does not keep alive through the native call (the race
    /// of docs/RELIABILITY.md); nothing reads the count at PyTorch's fixed momentum, so the layers
    /// carry no counter and the increment never runs.
    /// </summary>
    [Theory]
    [InlineData(BatchNormMode.Local)]
    [InlineData(BatchNormMode.Aggregated)]
    public void RunningModes_LayersCarryNoBatchCounter(BatchNormMode mode)
    {
        using var module = ResidualNetworks.ResNet20.WithBatchNorm(mode).Build(Shape, 10);
        var buffers = module.named_buffers().Select(b => b.name).ToList();
        Assert.Contains(buffers, name => name.EndsWith("running_mean", StringComparison.Ordinal));
        Assert.DoesNotContain(buffers, name => name.EndsWith("num_batches_tracked", StringComparison.Ordinal));
    }

    [Fact]
    public void OneGradient_MovesTheStemStatisticsATenthOfTheWayToTheBatchs()
    {
        var data = Images();
        int[] samples = [0, 3, 5, 6, 9, 12];
        using var runner = Runner(BatchNormMode.Aggregated);
        var theta = runner.InitialParameters(4);
        var statistics = runner.InitialStatistics().ToArray();
        statistics[2] = 0.5f; // a non-trivial start for channel 2's mean
        runner.RunWithStatistics(theta, data, Gradient(samples), new float[runner.ParameterCount], statistics);

        // The stem convolution's output on the batch, computed here (3x3, padding 1, no bias; its weights lead theta).
        using var scope = NewDisposeScope();
        var inputs = tensor(samples.SelectMany(s => data.FeaturesOf(s).ToArray()).ToArray(), [samples.Length, 3, 8, 8]).to_type(ScalarType.Float64);
        var weight = tensor(theta[..(16 * 27)].Select(v => (double)v).ToArray(), [16, 3, 3, 3]);
        var output = nn.functional.conv2d(inputs, weight, padding: [1, 1]).permute(1, 0, 2, 3).reshape(16, -1);
        var mean = output.mean([1]).data<double>().ToArray();
        var variance = output.var(1, unbiased: true).data<double>().ToArray(); // PyTorch's running variance takes the unbiased one
        for (int c = 0; c < 16; c++)
        {
            double startMean = c == 2 ? 0.5 : 0;
            Assert.Equal((0.9 * startMean) + (0.1 * mean[c]), statistics[c], 5);
            Assert.Equal(0.9 + (0.1 * variance[c]), statistics[16 + c], 4);
        }

        Assert.True(mean.Any(m => Math.Abs(m) > 0.05), "the batch's channel means are all near 0: the test would not see the update");
    }

    [Fact]
    public void Gradient_IsTheSameInEveryMode_WhateverTheStatistics()
    {
        var data = Images();
        var work = Gradient(1, 2, 3, 4, 7, 8);
        var gradients = new List<float[]>();
        foreach (var mode in new[] { BatchNormMode.Batch, BatchNormMode.Local, BatchNormMode.Aggregated })
        {
            using var runner = Runner(mode);
            var theta = runner.InitialParameters(9);
            var gradient = new float[runner.ParameterCount];
            if (mode == BatchNormMode.Batch)
            {
                runner.Run(theta, data, work, gradient);
            }
            else
            {
                var statistics = runner.InitialStatistics().Select((v, k) => v + (0.01f * k)).ToArray();
                runner.RunWithStatistics(theta, data, work, gradient, statistics);
            }

            gradients.Add(gradient);
        }

        Assert.Equal(gradients[0], gradients[1]);
        Assert.Equal(gradients[0], gradients[2]);
    }

    [Fact]
    public void Evaluation_LocalNormalisesWithBatchStatisticsAsBatchDoes_AggregatedWithTheServers()
    {
        var data = Images();
        using var batch = Runner(BatchNormMode.Batch);
        using var local = Runner(BatchNormMode.Local);
        using var aggregated = Runner(BatchNormMode.Aggregated);
        var theta = batch.InitialParameters(6);
        var batchResult = batch.Evaluate(theta, data, batchSize: 8);
        Assert.Equal(batchResult, local.Evaluate(theta, data, batchSize: 8));

        // Aggregated: the statistics given decide the outputs, and the batch size does not.
        var initial = aggregated.InitialStatistics().ToArray();
        var moved = initial.Select((v, k) => v + (0.5f * (k % 3))).ToArray();
        var atInitial = aggregated.Evaluate(theta, data, batchSize: 8, statistics: initial);
        var wholeBatch = aggregated.Evaluate(theta, data, batchSize: 16, statistics: initial);
        Assert.Equal(atInitial.Accuracy, wholeBatch.Accuracy);
        Assert.Equal(atInitial.Loss, wholeBatch.Loss, 5);
        Assert.NotEqual(atInitial.Loss, aggregated.Evaluate(theta, data, batchSize: 8, statistics: moved).Loss);
        Assert.NotEqual(batchResult.Loss, atInitial.Loss);

        var error = Assert.Throws<ArgumentException>(() => aggregated.Evaluate(theta, data));
        Assert.StartsWith("resnet20(batch_norm=aggregated) evaluates with the server's 1376 running statistics, got 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("batch", "resnet20")]
    [InlineData("local", "resnet20(batch_norm=local)")]
    [InlineData("aggregated", "resnet20(batch_norm=aggregated)")]
    public void Catalog_BindsTheOption_DescriptionNamesTheModeUnlessDefault(string word, string description)
    {
        var descriptor = ModelCatalog.Registry.All.Single(d => d.Name == ResidualNetworks.ResNet20Name);
        var (model, errors) = ModelCatalog.Bind(descriptor, new Dictionary<string, string> { ["batch_norm"] = word });
        Assert.Empty(errors);
        Assert.Equal(description, model.Description);
        Assert.Equal(BatchNormModes.Parse(word), model.BatchNorm);
    }

    [Fact]
    public void Catalog_BatchNormOnAModelWithoutIt_SaysWhichModelsHaveIt()
    {
        var descriptor = ModelCatalog.Registry.All.Single(d => d.Name == "mlp");
        var (_, errors) = ModelCatalog.Bind(descriptor, new Dictionary<string, string> { ["batch_norm"] = "local" });
        var error = Assert.Single(errors);
        Assert.Equal("batch_norm", error.Key);
        Assert.Equal("mlp has no batch normalisation; batch_norm applies to resnet18, resnet20", error.Message);
        Assert.Null(((IModelDefinition)new MultiLayerPerceptron([4])).BatchNorm);
    }
}
