namespace ByzantineSim.Clients.Training;

/// <summary>The compute device a run asks for (<c>device</c> in a spec).</summary>
public enum ComputeDevice
{
    /// <summary>The CPU. The default.</summary>
    Cpu,

    /// <summary>A CUDA GPU, when the CUDA build of TorchSharp is referenced and libtorch finds one.</summary>
    Cuda,
}
