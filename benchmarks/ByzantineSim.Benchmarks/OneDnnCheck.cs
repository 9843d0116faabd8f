using System.Runtime.InteropServices;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Training;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// Stand-alone check of the oneDNN problem behind TorchRuntime's decision to turn oneDNN off:
/// 150 cnn_mnist gradients with varying batch sizes and a few interleaved evaluations on one
/// runner, each compared with the same gradient computed on a fresh runner. With
/// <c>--enable-onednn</c> oneDNN is switched back on after TorchRuntime turned it off.
/// Its results are recorded in docs/PERFORMANCE.md.
/// </summary>
public static partial class OneDnnCheck
{
    /// <summary>Runs the check; returns the process exit code (1 when gradients differ).</summary>
    public static int Run(string[] args)
    {
        var data = IdxImageDataset.Load(IdxImageDataset.DebianFashionMnistFolder, "fashion-mnist");
        float[] start;
        using (var first = new ModelRunner(ConvolutionalNetworks.Mnist, data.Train.SampleShape, 10))
        {
            start = first.InitialParameters(1);
        }

        bool enable = args.Contains("--enable-onednn");
        if (enable)
        {
            SetMkldnn(GlobalContext(), true);
        }

        int seed = CommandLine.IntOption(args, "--seed") ?? 5;
        var random = new Random(seed);
        int[] sizes = [5, 13, 25, 32, 1, 64];
        var jobs = Enumerable.Range(0, 150).Select(_ =>
            (Parameters: start.Select(v => v + (float)((random.NextDouble() - 0.5) * 0.01)).ToArray(),
             Batch: Enumerable.Range(0, sizes[random.Next(sizes.Length)]).Select(_ => random.Next(data.Train.Count)).ToArray())).ToList();
        var expected = jobs.Select(job =>
        {
            using var fresh = new ModelRunner(ConvolutionalNetworks.Mnist, data.Train.SampleShape, 10);
            var gradient = new float[fresh.ParameterCount];
            fresh.ComputeGradient(job.Parameters, data.Train, job.Batch, null, gradient);
            return gradient;
        }).ToList();

        var evaluation = data.Test.Subset("eval", [.. Enumerable.Range(0, 200)]);
        using var runner = new ModelRunner(ConvolutionalNetworks.Mnist, data.Train.SampleShape, 10);
        int differing = 0, nan = 0;
        for (int i = 0; i < jobs.Count; i++)
        {
            if (i % 10 == 5)
            {
                runner.Evaluate(jobs[i].Parameters, evaluation, batchSize: 25);
            }

            var gradient = new float[runner.ParameterCount];
            runner.ComputeGradient(jobs[i].Parameters, data.Train, jobs[i].Batch, null, gradient);
            differing += gradient.AsSpan().SequenceEqual(expected[i]) ? 0 : 1;
            nan += gradient.Any(float.IsNaN) ? 1 : 0;
        }

        Console.WriteLine($"oneDNN {(enable ? "on" : "off")}, seed {seed}: {differing} of {jobs.Count} gradients differ from a fresh runner's ({nan} with NaN)");
        return differing == 0 ? 0 : 1;
    }

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
