using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ByzantineSim.Benchmarks;

// In process: on the shared VM a generated project's build outlasted BenchmarkDotNet's
// two-minute build timeout.

/// <summary><see cref="ShortRunConfig"/>'s job, run in the benchmark's own process.</summary>
public sealed class InProcessShortRunConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public InProcessShortRunConfig() =>
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithMinIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200))
            .WithToolchain(InProcessEmitToolchain.Instance));
}

/// <summary>
/// One in-process job of 2 warm-up and 6 measured iterations, without a minimum iteration time:
/// the attack benchmarks' config.
/// </summary>
public sealed class InProcessShortConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public InProcessShortConfig() =>
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(6));
}
