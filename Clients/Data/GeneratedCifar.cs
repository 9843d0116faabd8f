namespace ByzantineSim.Clients.Data;

/// <summary>
/// Writes CIFAR-10 and CIFAR-100 binary files (the format <see cref="CifarBinaryDataset"/> reads)
/// whose contents are pure functions of the sample index (<see cref="Label"/>, <see cref="Pixel"/>),
/// so a test can say which value belongs where. The images carry their label as a bright band of
/// rows, so small models can learn them. The tests' CIFAR files, <c>byzsim bench</c>'s ResNet-20
/// workload and <c>byzsim bench --write-cifar10</c> (files for a peer simulator) all come from here.
/// </summary>
public static class GeneratedCifar
{
    /// <summary>The label of CIFAR sample <paramref name="sample"/> (numbered over the training files, then the test file from 0).</summary>
    public static int Label(int sample, int classes) => (int)(Core.Numerics.Seed.Mix((ulong)sample) % (ulong)classes);

    /// <summary>The byte at <paramref name="position"/> (row * 32 + column) of channel <paramref name="channel"/> of sample <paramref name="sample"/>.</summary>
    public static byte Pixel(int sample, int label, int channel, int position)
    {
        int row = position / 32;
        bool band = row / 3 == label % 10;
        int noise = (int)(Core.Numerics.Seed.Mix(((ulong)sample << 20) ^ ((ulong)channel << 12) ^ (ulong)position) % 64);
        return (byte)((band ? 160 : 20) + noise + (channel * 8));
    }

    /// <summary>
    /// Writes CIFAR-10's binary files into <paramref name="folder"/>: five training batches of
    /// <paramref name="perBatch"/> records and a test batch of <paramref name="test"/>.
    /// </summary>
    public static void WriteCifar10(string folder, int perBatch, int test)
    {
        Directory.CreateDirectory(folder);
        for (int batch = 0; batch < 5; batch++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"data_batch_{batch + 1}.bin"), Records(batch * perBatch, perBatch, 10, coarse: null, testOffset: 0));
        }

        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Records(0, test, 10, coarse: null, testOffset: 1 << 24));
    }

    /// <summary>Writes CIFAR-100's <c>train.bin</c> and <c>test.bin</c>; a sample's coarse label is its fine label / 5.</summary>
    public static void WriteCifar100(string folder, int train, int test)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "train.bin"), Records(0, train, 100, coarse: fine => fine / 5, testOffset: 0));
        File.WriteAllBytes(Path.Combine(folder, "test.bin"), Records(0, test, 100, coarse: fine => fine / 5, testOffset: 1 << 24));
    }

    private static byte[] Records(int first, int count, int classes, Func<int, int>? coarse, int testOffset)
    {
        int labelBytes = coarse is null ? 1 : 2;
        var bytes = new byte[count * (labelBytes + 3072)];
        for (int k = 0; k < count; k++)
        {
            int sample = first + k + testOffset;
            int label = Label(sample, classes);
            int at = k * (labelBytes + 3072);
            if (coarse is null)
            {
                bytes[at] = (byte)label;
            }
            else
            {
                bytes[at] = (byte)coarse(label);
                bytes[at + 1] = (byte)label;
            }

            for (int channel = 0; channel < 3; channel++)
            {
                for (int position = 0; position < 1024; position++)
                {
                    bytes[at + labelBytes + (channel * 1024) + position] = Pixel(sample, label, channel, position);
                }
            }
        }

        return bytes;
    }
}
