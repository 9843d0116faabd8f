using System.Globalization;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// <c>eval-batch</c>: time to evaluate cnn_mnist on the 10,000 Fashion-MNIST test images on one
/// thread, for several evaluation batch sizes (the best of three passes each unless told otherwise, wall and CPU time). It chose the
/// evaluation batch size of <see cref="ModelRunner.Evaluate"/>.
/// </summary>
public static class EvaluationBatchSweep
{
    /// <summary>Runs the sweep and prints one line per batch size.</summary>
    /// <remarks>
    /// <c>--stacked</c> skips the module path; <c>--batch N</c> measures one batch size;
    /// <c>--passes N</c> (default 3) repeats each, which gives a profiler enough samples.
    /// </remarks>
    public static int Run(string[] args)
    {
        var data = Data.FashionMnist();
        int[] batches = CommandLine.IntOption(args, "--batch") is { } batch ? [batch] : [10, 25, 50, 100, 250, 500, 1000];
        int passes = CommandLine.IntOption(args, "--passes") ?? 3;
        foreach (bool stacked in args.Contains("--stacked") ? new[] { true } : new[] { false, true })
        {
            Sweep(data, stacked, batches, passes);
        }

        return 0;
    }

    private static void Sweep(DataSplit data, bool stacked, int[] batches, int passes)
    {
        using var runner = new ModelRunner(ConvolutionalNetworks.Mnist, data.Train.SampleShape, 10, stacked);
        var parameters = runner.InitialParameters(1);
        foreach (int batch in batches)
        {
            var (best, bestCpu) = Timing.BestOf(passes, () => runner.Evaluate(parameters, data.Test, batch));
            // CPU time is the steadier figure on a shared machine; wall time is what a run waits.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(stacked ? "stacked" : "module ")} batch {batch,5}: {best:F3} s wall, {bestCpu:F3} s CPU for {data.Test.Count} images"));
        }
    }
}
