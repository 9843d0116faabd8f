using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// <c>products [--rounds N]</c>: the matrix products of a cnn_mnist gradient's second convolution
/// block (batch 25, one client: im2col gives [500, 1600] columns for 50 output channels), each
/// exactly as the stacked pass hands it to MKL (<c>addmm_</c>, one thread, the pass's operand
/// layouts), against MKL's large square products (1024 and 2048) in the same process: issue 22's
/// "convolution products at >= 70% of what MKL reaches on large products". Each round times every
/// product in turn (the median of 21 calls, 5 for 2048); the lines give each round's GFLOP/s and
/// the ratio to the round's best large product, so that the VM's drift shows in both alike.
/// </summary>
public static class ConvolutionProducts
{
    /// <summary>Times the products and prints one line per product and round.</summary>
    public static int Run(string[] args)
    {
        ByzantineSim.Clients.Training.TorchRuntime.EnsureInitialised();
        set_num_threads(1);
        int rounds = CommandLine.IntOption(args, "--rounds") ?? 3;
        const int Outputs = 50, Taps = 500, Positions = 1600;
        var weights = randn(Outputs, Taps);
        var columns = randn(Taps, Positions);
        var products = randn(Outputs, Positions);
        var cases = new (string Name, Tensor Destination, Func<Tensor> Left, Func<Tensor> Right, double Flops, int Calls)[]
        {
            ("conv2 forward [50,500]x[500,1600]", zeros(Outputs, Positions), () => weights, () => columns, 2.0 * Outputs * Taps * Positions, 21),
            ("conv2 weight gradient [50,1600]x[1600,500]", zeros(Outputs, Taps), () => products, () => columns.t(), 2.0 * Outputs * Taps * Positions, 21),
            ("conv2 columns' gradient [500,50]x[50,1600]", zeros(Taps, Positions), () => weights.t(), () => products, 2.0 * Outputs * Taps * Positions, 21),
            Square(1024, 21),
            Square(2048, 5),
        };

        for (int round = 1; round <= rounds; round++)
        {
            var rates = cases.Select(c => c.Flops / Median(c.Calls, () =>
            {
                using var scope = NewDisposeScope();
                c.Destination.addmm_(c.Left(), c.Right(), beta: 0, alpha: 1);
            }) / 1e9).ToArray();
            double large = Math.Max(rates[^1], rates[^2]);
            for (int k = 0; k < cases.Length; k++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round} {cases[k].Name}: {rates[k]:F1} GFLOP/s, {100 * rates[k] / large:F0}% of the large products' best"));
            }
        }

        return 0;
    }

    private static (string, Tensor, Func<Tensor>, Func<Tensor>, double, int) Square(int size, int calls)
    {
        var a = randn(size, size);
        var b = randn(size, size);
        return ($"large [{size},{size}]x[{size},{size}]", zeros(size, size), () => a, () => b, 2.0 * size * size * size, calls);
    }

    /// <summary>The median wall time in seconds of <paramref name="calls"/> calls, after one untimed call.</summary>
    private static double Median(int calls, Action work)
    {
        work();
        var times = new double[calls];
        for (int k = 0; k < calls; k++)
        {
            var watch = Stopwatch.StartNew();
            work();
            times[k] = watch.Elapsed.TotalSeconds;
        }

        Array.Sort(times);
        return times[calls / 2];
    }
}
