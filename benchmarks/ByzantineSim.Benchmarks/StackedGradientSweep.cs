using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// <c>stacked</c>: time to compute ten 25-sample cnn_mnist gradients on one thread at the same
/// parameters, in groups of 1, 2, 5 and 10 clients per pass (best of five), and whether every
/// client's gradient has the same bits in every grouping. <c>--group N</c> measures one group
/// size, <c>--passes N</c> (default 5) repeats it, which gives a profiler enough samples.
/// </summary>
public static class StackedGradientSweep
{
    /// <summary>Runs the sweep and prints one line per group size.</summary>
    public static int Run(string[] args)
    {
        var data = Data.FashionMnist();
        IModelDefinition model = args.Contains("--mlp") ? new MultiLayerPerceptron([128]) : ConvolutionalNetworks.Mnist;
        int clients = args.Contains("--mlp") ? 80 : 10;
        const int batch = 25;
        using var runner = new ModelRunner(model, data.Train.SampleShape, 10);
        var parameters = runner.InitialParameters(1);
        int d = runner.ParameterCount;
        var batches = Enumerable.Range(0, clients)
            .Select(c => new ClientBatch([.. Enumerable.Range(c * 997 % 50000, batch)], null, null))
            .ToList();
        using var module = new ModelRunner(model, data.Train.SampleShape, 10, stacked: false);
        var reference = new float[clients * d];
        var referenceLosses = new float[clients];
        var moduleWatch = Stopwatch.StartNew();
        module.ComputeGradients(parameters, data.Train, batches, reference, referenceLosses);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model.Name} module (autograd), one client at a time: {moduleWatch.Elapsed.TotalMilliseconds:F1} ms for {clients} gradients"));
        float[]? first = null;
        int[] groups = CommandLine.IntOption(args, "--group") is { } chosen ? [chosen] : [.. new[] { 1, 2, 5, 10, clients }.Distinct()];
        int passes = CommandLine.IntOption(args, "--passes") ?? 5;
        foreach (int group in groups)
        {
            var gradients = new float[clients * d];
            var losses = new float[clients];
            double best = 1000 * Timing.BestOf(passes, () =>
            {
                for (int start = 0; start < clients; start += group)
                {
                    int count = Math.Min(group, clients - start);
                    runner.ComputeGradients(
                        parameters, data.Train, batches.GetRange(start, count), gradients.AsSpan(start * d, count * d), losses.AsSpan(start, count));
                }
            }).WallSeconds;

            first ??= gradients;
            bool same = first.AsSpan().SequenceEqual(gradients);
            double worst = 0;
            for (int k = 0; k < gradients.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(gradients[k] - reference[k]) / (1e-3 + Math.Abs(reference[k])));
            }
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{model.Name} group {group,3}: {best:F1} ms for {clients} gradients ({best / clients:F2} ms each), bits equal to group 1: {same}, worst relative difference to the module: {worst:E1}, loss {losses[0]:F5} vs {referenceLosses[0]:F5}"));
        }

        return 0;
    }
}
