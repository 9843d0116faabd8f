using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training;

/// <summary>
/// Direct access to the memory of contiguous float32 CPU tensors, for copying parameters in
/// and gradients out with one block copy. TorchSharp's TensorAccessor copies element by element
/// through stride arithmetic (and allocates an array to copy out); we measured it as a large
/// share of a small model's gradient time.
/// </summary>
internal static partial class TensorMemory
{
    /// <summary>The tensor's elements as a span over its native memory; valid while the tensor lives.</summary>
    public static unsafe Span<float> Floats(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32 || tensor.device_type != TorchSharp.DeviceType.CPU || !tensor.is_contiguous())
        {
            throw new InvalidOperationException($"expected a contiguous float32 CPU tensor, got {tensor.dtype} on {tensor.device_type}");
        }

        long count = tensor.numel();
        return count == 0 ? [] : new Span<float>((void*)Data(tensor.Handle), checked((int)count));
    }

    /// <summary>A contiguous int32 CPU tensor's elements as a span over its native memory; valid while the tensor lives.</summary>
    public static unsafe Span<int> Ints(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Int32 || tensor.device_type != TorchSharp.DeviceType.CPU || !tensor.is_contiguous())
        {
            throw new InvalidOperationException($"expected a contiguous int32 CPU tensor, got {tensor.dtype} on {tensor.device_type}");
        }

        long count = tensor.numel();
        return count == 0 ? [] : new Span<int>((void*)Data(tensor.Handle), checked((int)count));
    }

    // LibTorchSharp's accessor for at::Tensor::data_ptr() (the storage offset included), the same
    // entry point TorchSharp's own TensorAccessor uses.
    [LibraryImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static partial IntPtr Data(IntPtr handle);
}
