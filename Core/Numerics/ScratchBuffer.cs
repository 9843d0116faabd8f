namespace ByzantineSim.Core.Numerics;

/// <summary>Working arrays kept from call to call, grown when a call needs more.</summary>
public static class ScratchBuffer
{
    /// <summary>
    /// Grows <paramref name="buffer"/> to at least <paramref name="length"/> values and returns
    /// it. A new array is uninitialised, a kept one holds stale values: the caller writes every
    /// element it reads.
    /// </summary>
    public static float[] Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<float>(length);
        }

        return buffer;
    }
}
