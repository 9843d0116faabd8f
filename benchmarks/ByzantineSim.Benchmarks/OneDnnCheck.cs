using System.Runtime.InteropServices;
using ByzantineSim.Clients.Tests;

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
        var data = Data.FashionMnist();
        bool enable = args.Contains("--enable-onednn");
        if (enable)
        {
            SetMkldnn(GlobalContext(), true);
        }

        int seed = CommandLine.IntOption(args, "--seed") ?? 5;
        var (differing, nan, steps) = GradientReplay.Run(data, seed);
        Console.WriteLine($"oneDNN {(enable ? "on" : "off")}, seed {seed}: {differing} of {steps} gradients differ from a fresh runner's ({nan} with NaN)");
        return differing == 0 ? 0 : 1;
    }

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
