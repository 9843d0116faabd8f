namespace ByzantineSim.Core.Numerics;

/// <summary>
/// Model-sized arrays kept for reuse. The runtime serves an array that size from fresh pages, and
/// on a VM the page faults of first touching them cost more than the copy that fills them
/// (figures in docs/PERFORMANCE.md). Each run has its own pool, in its <see cref="RoundArena"/>;
/// arrays come back when a round's lease is given back (or through <see cref="VectorPayload.Release"/>).
/// The pool keeps at most <see cref="CapacityBytes"/>; anything beyond that is left to the garbage collector.
/// </summary>
/// <remarks>A rented array holds stale values: the renter overwrites every element.</remarks>
public sealed class PayloadPool(long capacityBytes)
{
    private readonly Dictionary<int, Stack<float[]>> _free = [];
    private readonly Lock _lock = new();
    private long _heldBytes;

    /// <summary>Most bytes kept.</summary>
    public long CapacityBytes => capacityBytes;

    /// <summary>Bytes kept now.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _heldBytes;
            }
        }
    }

    /// <summary>An array of <paramref name="length"/> floats with arbitrary contents, most recently returned first (likeliest in cache).</summary>
    public float[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (_lock)
        {
            if (_free.TryGetValue(length, out var stack) && stack.TryPop(out var array))
            {
                _heldBytes -= 4L * length;
                return array;
            }
        }

        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Takes <paramref name="array"/> back; kept if it fits in the capacity.</summary>
    internal void Return(float[] array)
    {
        if (array.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_heldBytes + (4L * array.Length) > capacityBytes)
            {
                return;
            }

            if (!_free.TryGetValue(array.Length, out var stack))
            {
                stack = new Stack<float[]>();
                _free.Add(array.Length, stack);
            }

            stack.Push(array);
            _heldBytes += 4L * array.Length;
        }
    }
}
