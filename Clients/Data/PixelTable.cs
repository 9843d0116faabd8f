namespace ByzantineSim.Clients.Data;

/// <summary>
/// An image set's pixels as bytes, with the float each byte value stands for in each channel:
/// 256 entries per channel, computed once by the same expression that would have converted the
/// whole set (<see cref="PixelStandardiser"/>, or p / 255), so decoding gives the very floats a
/// converted copy would hold, at a quarter of the memory (Fashion-MNIST's training set: 47 MB
/// instead of 188 MB).
/// </summary>
/// <param name="Bytes">The pixels, samples one after another, each channel-major.</param>
/// <param name="Table">channels x 256 floats: entry [c * 256 + b] is byte b of channel c.</param>
/// <param name="PlaneSize">Pixels per channel of one sample.</param>
public sealed record PixelTable(byte[] Bytes, float[] Table, int PlaneSize)
{
    /// <summary>Number of channels.</summary>
    public int Channels => Table.Length / 256;

    /// <summary>Values per sample: channels x plane.</summary>
    public int SampleSize => Channels * PlaneSize;

    /// <summary>The table of pixels in [0, 1]: p / 255 (torchvision's <c>ToTensor</c>).</summary>
    public static float[] UnitRange(int channels)
    {
        var table = new float[channels * 256];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = (byte)(i % 256) / 255f;
        }

        return table;
    }

    /// <summary>Writes sample <paramref name="index"/>'s <see cref="SampleSize"/> floats to <paramref name="destination"/>.</summary>
    public void CopyTo(int index, Span<float> destination)
    {
        var source = Bytes.AsSpan(index * SampleSize, SampleSize);
        for (int c = 0; c < Channels; c++)
        {
            var table = Table.AsSpan(c * 256, 256);
            var plane = source.Slice(c * PlaneSize, PlaneSize);
            var target = destination.Slice(c * PlaneSize, PlaneSize);
            for (int j = 0; j < plane.Length; j++)
            {
                target[j] = table[plane[j]];
            }
        }
    }

    /// <summary>A new array of the <paramref name="count"/> samples from <paramref name="start"/>, decoded.</summary>
    public float[] Decode(int start, int count)
    {
        var values = new float[count * SampleSize];
        for (int k = 0; k < count; k++)
        {
            CopyTo(start + k, values.AsSpan(k * SampleSize, SampleSize));
        }

        return values;
    }

    /// <summary>The samples <paramref name="indices"/>, in that order, with the same table.</summary>
    public PixelTable Subset(ReadOnlySpan<int> indices)
    {
        var bytes = new byte[indices.Length * SampleSize];
        for (int k = 0; k < indices.Length; k++)
        {
            Bytes.AsSpan(indices[k] * SampleSize, SampleSize).CopyTo(bytes.AsSpan(k * SampleSize, SampleSize));
        }

        return this with { Bytes = bytes };
    }

    /// <summary>The smallest and largest decoded value: the extremes of the table entries that occur.</summary>
    public (float Low, float High) Range()
    {
        if (Bytes.Length == 0)
        {
            return (0f, 0f);
        }

        var seen = new bool[Table.Length];
        for (int i = 0; i < Bytes.Length; i++)
        {
            seen[(i % SampleSize / PlaneSize * 256) + Bytes[i]] = true;
        }

        float low = float.PositiveInfinity, high = float.NegativeInfinity;
        for (int e = 0; e < Table.Length; e++)
        {
            if (seen[e])
            {
                low = Math.Min(low, Table[e]);
                high = Math.Max(high, Table[e]);
            }
        }

        return (low, high);
    }
}
