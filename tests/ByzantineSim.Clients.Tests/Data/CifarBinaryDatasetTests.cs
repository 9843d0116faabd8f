namespace ByzantineSim.Clients.Tests.Data;

public sealed class CifarBinaryDatasetTests() : TempFolderTest("cifar-tests-")
{
    [Fact]
    public void Load_Cifar10Batches_ReadsEveryRecordInFileOrderWithLabelsAndChannelPlanes()
    {
        GeneratedCifar.WriteCifar10(Folder, perBatch: 40, test: 60);
        var data = CifarBinaryDataset.Load(Folder, CifarVariant.Cifar10, "cifar-10");

        Assert.Equal(200, data.Train.Count);
        Assert.Equal(60, data.Test.Count);
        Assert.Equal([3, 32, 32], data.Train.SampleShape.ToArray());
        Assert.Equal(10, data.Train.Classes);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => GeneratedCifar.Label(i, 10)), data.Train.Labels.ToArray());
        Assert.Equal(Enumerable.Range(0, 60).Select(i => GeneratedCifar.Label(i + (1 << 24), 10)), data.Test.Labels.ToArray());

        // Per-channel statistics of the training pixels, computed here in double from the generator.
        var (means, deviations) = ChannelStatistics(200);
        foreach (int sample in new[] { 0, 41, 199 })
        {
            int label = data.Train.Labels[sample];
            var features = data.Train.FeaturesOf(sample);
            foreach (int channel in new[] { 0, 1, 2 })
            {
                foreach (int position in new[] { 0, 33, 1023 })
                {
                    double expected = ((GeneratedCifar.Pixel(sample, label, channel, position) / 255.0) - means[channel]) / deviations[channel];
                    Assert.Equal(expected, features[(channel * 1024) + position], 4);
                }
            }
        }

        Assert.Equal(-means[2] / deviations[2], data.Train.Background[2], 4);
    }

    [Fact]
    public void Load_HandWrittenRecord_RedPlaneFirstThenGreenThenBlue()
    {
        // Two CIFAR-10 records (label byte, then 1024 red, 1024 green, 1024 blue bytes):
        // record 0 is red 255 / green 0 / blue 0, record 1 red 0 / green 255 / blue 0.
        var record = new byte[2 * 3073];
        record[0] = 3;
        Array.Fill(record, (byte)255, 1, 1024);
        record[3073] = 9;
        Array.Fill(record, (byte)255, 3073 + 1 + 1024, 1024);
        foreach (int batch in Enumerable.Range(1, 5))
        {
            File.WriteAllBytes(Path.Combine(Folder, $"data_batch_{batch}.bin"), record);
        }

        File.WriteAllBytes(Path.Combine(Folder, "test_batch.bin"), record);
        var data = CifarBinaryDataset.Load(Folder, CifarVariant.Cifar10, "cifar-10");

        // Red: half the samples 255, half 0, so mean 0.5 and deviation 0.5: 255 -> +1, 0 -> -1; blue is always 0.
        Assert.Equal([3, 9, 3, 9, 3, 9, 3, 9, 3, 9], data.Train.Labels.ToArray());
        Assert.Equal(1f, data.Train.FeaturesOf(0)[0], 5);
        Assert.Equal(-1f, data.Train.FeaturesOf(0)[1024], 5);
        Assert.Equal(-1f, data.Train.FeaturesOf(1)[1023], 5);
        Assert.Equal(1f, data.Train.FeaturesOf(1)[1024 + 500], 5);
        Assert.Equal(0f, data.Train.FeaturesOf(1)[2048 + 7], 5);
    }

    [Theory]
    [InlineData(CifarVariant.Cifar100Fine, 100)]
    [InlineData(CifarVariant.Cifar100Coarse, 20)]
    public void Load_Cifar100_ChoosesFineOrCoarseLabels(CifarVariant variant, int classes)
    {
        GeneratedCifar.WriteCifar100(Folder, train: 250, test: 50);
        var data = CifarBinaryDataset.Load(Folder, variant, "cifar-100");

        Assert.Equal(250, data.Train.Count);
        Assert.Equal(classes, data.Train.Classes);
        var fine = Enumerable.Range(0, 250).Select(i => GeneratedCifar.Label(i, 100));
        Assert.Equal(classes == 100 ? fine : fine.Select(l => l / 5), data.Train.Labels.ToArray());
    }

    [Fact]
    public void Load_Cifar100FileReadAsCifar10_SaysTheRecordsDoNotFit()
    {
        GeneratedCifar.WriteCifar10(Folder, perBatch: 3, test: 3);
        File.WriteAllBytes(Path.Combine(Folder, "data_batch_2.bin"), new byte[3074]);
        var error = Assert.Throws<InvalidDataException>(() => CifarBinaryDataset.Load(Folder, CifarVariant.Cifar10, "cifar-10"));
        Assert.Equal(
            $"{Path.Combine(Folder, "data_batch_2.bin")}: 3074 bytes is not a whole number of 3073-byte records (1 label byte(s) + 3072 pixels); is this the CIFAR-10 binary version?",
            error.Message);
    }

    private static (double[] Means, double[] Deviations) ChannelStatistics(int count)
    {
        var means = new double[3];
        var deviations = new double[3];
        for (int channel = 0; channel < 3; channel++)
        {
            var values = Enumerable.Range(0, count)
                .SelectMany(i => Enumerable.Range(0, 1024).Select(p => GeneratedCifar.Pixel(i, GeneratedCifar.Label(i, 10), channel, p) / 255.0))
                .ToList();
            means[channel] = values.Average();
            deviations[channel] = Math.Sqrt(values.Average(v => (v - means[channel]) * (v - means[channel])));
        }

        return (means, deviations);
    }
}
