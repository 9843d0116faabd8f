using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training;

/// <summary>
/// TorchSharp thread settings. The simulator parallelises across a pool of trainers, so each
/// computation runs on one intra-op thread: the pool size then sets CPU use, and a result does
/// not depend on how many threads split a reduction. libtorch's CPU backend uses OpenMP, whose
/// thread count is a per-thread setting, so every thread that computes must set it itself.
/// <para>
/// libtorch links Intel oneMKL, whose kernels may round differently from one call to the next
/// (measured here: the same gradient differed in the last bit between runs). Strict conditional
/// numerical reproducibility (<c>MKL_CBWR=AUTO,STRICT</c>) makes them bitwise repeatable; it is
/// set in the native environment before MKL first reads it, unless the user set MKL_CBWR.
/// </para>
/// <para>oneDNN is turned off: see <see cref="DisableOneDnn"/>.</para>
/// </summary>
public static partial class TorchRuntime
{
    [ThreadStatic]
    private static bool _initialisedOnThisThread;

    static TorchRuntime()
    {
        const string name = "MKL_CBWR", value = "AUTO,STRICT";
        if (OperatingSystem.IsWindows())
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
        else
        {
            // .NET keeps its own copy of the environment on Unix; native code reads libc's.
            _ = SetNativeEnvironment(name, value, overwrite: 0);
        }

        torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        DisableOneDnn();
    }

    /// <summary>Loads libtorch and pins the calling thread to one intra-op thread; idempotent.</summary>
    public static void EnsureInitialised()
    {
        if (_initialisedOnThisThread)
        {
            return;
        }

        torch.set_num_threads(1);
        _initialisedOnThisThread = true;
    }

    /// <summary>
    /// Turns libtorch's oneDNN (MKL-DNN) kernels off, process-wide. With libtorch 2.10 CPU (the
    /// one TorchSharp 0.107 ships) convolution gradients turned NaN or differed after a forward
    /// pass without backward (an evaluation) had run in the same process; with oneDNN off they do
    /// not, at about the same speed (figures in docs/PERFORMANCE.md; ATen's
    /// own im2col + MKL GEMM path). TorchSharp has no switch for it, so at::Context's setter is
    /// called directly; if a future libtorch lacks the symbol we keep going with oneDNN on.
    /// </summary>
    private static void DisableOneDnn()
    {
        try
        {
            SetMkldnn(GlobalContext(), false);

            // Without oneDNN, inference convolutions try NNPACK, which fails to initialise on
            // this CPU ("Unsupported hardware") and logs a warning on every batch before falling
            // back to the same path: skip it.
            SetNnpack(GlobalContext(), false);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Console.Error.WriteLine($"warning: could not turn oneDNN off ({ex.Message}); convolution results may not be reproducible");
        }
    }

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>
    /// Checks that <paramref name="device"/> ("cpu" or "cuda") can be used, before any training starts.
    /// </summary>
    /// <returns>null when usable, otherwise the reason.</returns>
    public static string? CheckDevice(string device)
    {
        if (device == "cpu")
        {
            return null;
        }

        if (device != "cuda")
        {
            return $"unknown device '{device}'; known: cpu, cuda";
        }

        EnsureInitialised();
        return torch.cuda.is_available()
            ? null
            : "device 'cuda' is not available: this build references TorchSharp-cpu (build with -p:TorchDevice=cuda for the CUDA package) or no GPU is present";
    }

    /// <summary>
    /// The CUDA device. cuBLAS gets a fixed workspace (<c>CUBLAS_WORKSPACE_CONFIG=:4096:8</c>,
    /// unless set: NVIDIA's condition for deterministic GEMMs since CUDA 10.2). TorchSharp 0.107
    /// offers neither <c>torch.use_deterministic_algorithms</c> (it throws "not implemented") nor
    /// cuDNN's deterministic switch, so GPU runs are not promised byte-identical (cuDNN may pick
    /// non-deterministic convolution kernels) and never equal the CPU's bits. Throws when CUDA is
    /// not available.
    /// </summary>
    public static Device CudaDevice()
    {
        if (CheckDevice("cuda") is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        if (!OperatingSystem.IsWindows())
        {
            _ = SetNativeEnvironment("CUBLAS_WORKSPACE_CONFIG", ":4096:8", overwrite: 0);
        }
        else if (Environment.GetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG") is null)
        {
            Environment.SetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
        }

        return torch.CUDA;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetNativeEnvironment(string name, string value, int overwrite);
}
