using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/ByzantineSim.Benchmarks -- --filter '*'</c>
/// for the BenchmarkDotNet kernels, <c>-- onednn-check [--enable-onednn] [--seed N]</c>, <c>-- eval-batch [--stacked] [--batch N] [--passes N]</c>, <c>-- stacked [--mlp] [--group N] [--passes N]</c>, <c>-- products [--rounds N]</c>, or <c>-- kernel-times --n N --d D --rules a,b [--rounds R]</c> (the side-by-side with ByzFL, <c>benchmarks/peers/</c>).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks the arguments select.</summary>
    public static int Main(string[] args)
    {
        if (args.FirstOrDefault() == "onednn-check")
        {
            return OneDnnCheck.Run(args);
        }

        if (args.FirstOrDefault() == "stacked")
        {
            return StackedGradientSweep.Run(args);
        }

        if (args.FirstOrDefault() == "kernel-times")
        {
            return KernelTimes.Run(args);
        }

        if (args.FirstOrDefault() == "products")
        {
            return ConvolutionProducts.Run(args);
        }

        if (args.FirstOrDefault() == "eval-batch")
        {
            return EvaluationBatchSweep.Run(args);
        }

        // Every benchmark class reports its allocations: the memory diagnoser, added once here
        // to the config each class's own [Config]/[SimpleJob] attributes are joined with.
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default));
        return 0;
    }
}
