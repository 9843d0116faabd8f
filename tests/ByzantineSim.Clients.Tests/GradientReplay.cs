using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Training;

namespace ByzantineSim.Clients.Tests;

/// <summary>
/// The replay behind the oneDNN decision, shared by <c>ReproducibilityTests</c> and the
/// benchmarks' <c>onednn-check</c> (which links this file): 150 cnn_mnist gradients at jittered
/// parameters and varying batch sizes, with an evaluation every tenth step, computed in sequence
/// on one runner and compared with the same gradient on a fresh runner.
/// </summary>
internal static class GradientReplay
{
    /// <summary>How many of the 150 gradients differ from a fresh runner's, and how many hold a NaN.</summary>
    public static (int Differing, int WithNaN, int Steps) Run(DataSplit data, int seed)
    {
        var random = new Random(seed);
        float[] start;
        using (var first = new ModelRunner(ConvolutionalNetworks.Mnist, data.Train.SampleShape, 10))
        {
            start = first.InitialParameters(1);
        }

        int[] sizes = [5, 13, 25, 32, 1, 64];
        var jobs = Enumerable.Range(0, 150).Select(_ =>
            (Parameters: start.Select(v => v + (float)((random.NextDouble() - 0.5) * 0.01)).ToArray(),
             Batch: Enumerable.Range(0, sizes[random.Next(sizes.Length)]).Select(_ => random.Next(data.Train.Count)).ToArray())).ToList();

        // References first, each on a fresh runner; then the same jobs in sequence on one runner.
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

        return (differing, nan, jobs.Count);
    }
}
