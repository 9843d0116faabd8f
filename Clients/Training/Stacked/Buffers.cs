using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>
/// The tensors a pass writes, kept from one pass to the next: a fresh allocation of tens of
/// megabytes is fresh pages from the kernel, and their page faults cost as much as the
/// products written into them (measured). Each role's buffer grows to the largest pass seen;
/// a pass gets a view of its first elements. Every buffer is fully written before it is read.
/// </summary>
internal sealed class Buffers
{
    private readonly Dictionary<(string Role, int Layer, ScalarType Type), Tensor> _storage = [];

    /// <summary>
    /// A <paramref name="shape"/> view of the buffer of <paramref name="role"/> for
    /// <paramref name="layer"/> (a layer's parameter offset), grown when this pass is larger
    /// than any before; it holds whatever the last pass left.
    /// </summary>
    public Tensor Get(string role, int layer, long[] shape, ScalarType type = ScalarType.Float32)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (!_storage.TryGetValue((role, layer, type), out var storage) || storage.numel() < count)
        {
            storage?.Dispose();
            storage = empty([count], type).DetachFromDisposeScope();
            _storage[(role, layer, type)] = storage;
        }

        return storage.narrow(0, 0, count).view(shape);
    }
}
