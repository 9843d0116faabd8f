using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace ByzantineSim.Benchmarks;

/// <summary>Benchmark inputs.</summary>
public static class Data
{
    /// <summary>Fashion-MNIST from Debian's dataset-fashion-mnist, as the hand-timed modes and the oneDNN check load it.</summary>
    public static DataSplit FashionMnist() => IdxImageDataset.Load(IdxImageDataset.DebianFashionMnistFolder, "fashion-mnist");

    /// <summary>n x d standard normal float32 values, filled in parallel from per-row seeded streams.</summary>
    public static float[] StandardNormal(int n, int d, ulong seed)
    {
        var data = new float[(long)n * d];
        Parallel.For(0, n, i =>
        {
            var random = new DeterministicRandom(Seed.Derive(seed, "benchmark", i));
            var row = data.AsSpan(i * d, d);
            for (int k = 0; k < d; k++)
            {
                row[k] = (float)random.NextGaussian();
            }
        });
        return data;
    }
}

/// <summary>
/// A short job: 2 warm-up and 5 measured iterations of at least 200 ms, one launch. Enough for
/// a median on a shared 2-core machine without spending minutes on every 400 MB case.
/// </summary>
public sealed class ShortRunConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public ShortRunConfig() =>
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithMinIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200)));
}
