using System.IO.Compression;

namespace ByzantineSim.Clients.Tests;

public sealed class IdxReaderTests() : TempFolderTest("idx-tests-")
{
    private static byte[] Idx(int[] dimensions, byte[] data)
    {
        var bytes = new List<byte> { 0, 0, 8, (byte)dimensions.Length };
        foreach (int dimension in dimensions)
        {
            bytes.AddRange(BitConverter.GetBytes(dimension).Reverse());
        }

        bytes.AddRange(data);
        return [.. bytes];
    }

    private string WriteFile(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(Folder, name + (gzip ? ".gz" : ""));
        if (gzip)
        {
            using var file = File.Create(path);
            using var stream = new GZipStream(file, CompressionLevel.Fastest);
            stream.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_RawOrGzip_ReturnsDimensionsAndData(bool gzip)
    {
        string path = WriteFile("images", Idx([2, 2, 3], [.. Enumerable.Range(0, 12).Select(i => (byte)i)]), gzip);
        var file = IdxReader.Read(path);
        Assert.Equal([2, 2, 3], file.Dimensions.ToArray());
        Assert.Equal(11, file.Data[11]);
    }

    // Truncated, too long, and two negative sizes whose product is positive: each file, raw and
    // gzip, gets the message of a file read whole (the reader's fast path must not change it).
    [Theory]
    [InlineData(new[] { 10, 28, 28 }, 100, false, "header promises 7840 values (10 x 28 x 28) but the file holds 100 (truncated?)")]
    [InlineData(new[] { 10, 28, 28 }, 100, true, "header promises 7840 values (10 x 28 x 28) but the file holds 100 (truncated?)")]
    [InlineData(new[] { 2, 3 }, 9, false, "header promises 6 values (2 x 3) but the file holds 9")]
    [InlineData(new[] { 2, 3 }, 9, true, "header promises 6 values (2 x 3) but the file holds 9")]
    [InlineData(new[] { -2, -3 }, 6, false, "dimension 0 has size -2")]
    [InlineData(new[] { -2, -3 }, 6, true, "dimension 0 has size -2")]
    public void Read_SizesThatDisagree_NameFileAndSizes(int[] dimensions, int values, bool gzip, string expected)
    {
        string path = WriteFile("sizes", Idx(dimensions, new byte[values]), gzip);
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Equal($"{path}: {expected}", error.Message);
    }

    [Fact]
    public void Read_WrongMagic_SaysNotIdx()
    {
        string path = WriteFile("text", "hello world"u8.ToArray(), gzip: false);
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Equal($"{path}: not an IDX file (magic must start with two zero bytes)", error.Message);
    }

    [Fact]
    public void Read_CorruptGzip_SaysSo()
    {
        string path = Path.Combine(Folder, "broken.gz");
        var bytes = File.ReadAllBytes(WriteFile("good", Idx([1000], new byte[1000]), gzip: true));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.ThrowsAny<Exception>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        string path = Path.Combine(Folder, "nothing-here");
        var error = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFolder_MissingFiles_ListsThem()
    {
        WriteFile("train-images-idx3-ubyte", Idx([1, 2, 2], new byte[4]), gzip: false);
        var missing = IdxImageDataset.MissingFiles(Folder);
        Assert.Equal(3, missing.Length);
        Assert.Contains(missing, m => m.EndsWith("t10k-labels-idx1-ubyte[.gz]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    [InlineData("false")]
    public void Bind_Standardize_StandardisesOrKeepsPixelsInUnitRange(string? standardize)
    {
        // Three 2x2 training images and one test image; labels 0..2.
        byte[] train = [0, 51, 102, 255, 10, 20, 30, 40, 200, 0, 0, 100];
        byte[] test = [255, 0, 51, 0];
        WriteFile("train-images-idx3-ubyte", Idx([3, 2, 2], train), gzip: false);
        WriteFile("train-labels-idx1-ubyte", Idx([3], [0, 1, 2]), gzip: false);
        WriteFile("t10k-images-idx3-ubyte", Idx([1, 2, 2], test), gzip: true);
        WriteFile("t10k-labels-idx1-ubyte", Idx([1], [1]), gzip: false);
        var options = new Dictionary<string, string> { ["folder"] = Folder };
        if (standardize is not null)
        {
            options["standardize"] = standardize;
        }

        var (source, errors) = DatasetCatalog.Bind(DatasetCatalog.Registry.All.Single(d => d.Name == "idx"), options);
        Assert.Empty(errors);
        var data = DatasetCatalog.Load(source);

        // Expected: p / 255, then (x - mean) / population deviation of the training pixels unless standardize is false.
        var scaled = train.Select(p => p / 255.0).ToArray();
        double mean = scaled.Average(), deviation = Math.Sqrt(scaled.Average(x => (x - mean) * (x - mean)));
        Func<byte, double> expected = standardize == "false" ? p => p / 255.0 : p => ((p / 255.0) - mean) / deviation;
        Assert.Equal(train.Select(expected), data.Train.Features.ToArray().Select(v => (double)v), new Tolerance(1e-5));
        Assert.Equal(test.Select(expected), data.Test.Features.ToArray().Select(v => (double)v), new Tolerance(1e-5));
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void FashionMnist_RealFiles_LoadWithExpectedShapes()
    {
        Assert.True(TestKitInfo.HasFashionMnist, "Fashion-MNIST is not installed: run scripts/setup.sh (apt package dataset-fashion-mnist)");
        var data = IdxImageDataset.Load(TestKitInfo.FashionMnistFolder, "fashion-mnist");
        Assert.Equal(60_000, data.Train.Count);
        Assert.Equal(10_000, data.Test.Count);
        Assert.Equal([1, 28, 28], data.Train.SampleShape.ToArray());
        Assert.Equal(10, data.Train.Classes);
        Assert.All(data.Train.ClassHistogram(), count => Assert.Equal(6_000, count));
        double mean = data.Train.Features.ToArray().Average(v => (double)v);
        Assert.Equal(0.0, mean, 3);
    }
}

public sealed class PixelTableTests
{
    [Theory]
    [InlineData(1, 784)]
    [InlineData(3, 1024)]
    public void Decoding_GivesTheBitsOfTheWholeSetConversion(int channels, int plane)
    {
        // Random bytes, 7 samples: the table must give exactly the floats PixelStandardiser.Apply
        // (the conversion of the whole set) gives, bit for bit.
        var random = new Random(5);
        var pixels = new byte[7 * channels * plane];
        random.NextBytes(pixels);
        var standardiser = PixelStandardiser.Fit(pixels, channels, plane);
        var table = new PixelTable(pixels, standardiser.Table(), plane);
        var expected = standardiser.Apply(pixels, plane);
        var decoded = table.Decode(0, 7);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), decoded.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal((expected.Min(), expected.Max()), table.Range());

        var unit = new PixelTable(pixels, PixelTable.UnitRange(channels), plane).Decode(0, 7);
        Assert.Equal(pixels.Select(p => BitConverter.SingleToInt32Bits(p / 255f)), unit.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ADatasetOfBytes_ReadsLikeOneOfFloats()
    {
        var pixels = Enumerable.Range(0, 3 * 4).Select(i => (byte)(i * 20)).ToArray();
        var table = new PixelTable(pixels, PixelTable.UnitRange(1), 4);
        var bytes = new Dataset("b", [1, 2, 2], 2, table, [0, 1, 0]);
        var floats = new Dataset("f", [1, 2, 2], 2, table.Decode(0, 3), [0, 1, 0]);
        var copy = new float[4];
        bytes.CopyFeatures(2, copy);
        Assert.Equal(floats.FeaturesOf(2).ToArray(), copy);
        Assert.Equal(floats.FeaturesOf(1).ToArray(), bytes.FeaturesOf(1).ToArray());
        Assert.Equal(floats.Features.ToArray(), bytes.Features.ToArray());
        Assert.Equal(floats.FeatureRange, bytes.FeatureRange);
        Assert.Equal(floats.Subset("s", [2, 0]).Features.ToArray(), bytes.Subset("s", [2, 0]).Features.ToArray());
        Assert.Equal([0, 0], bytes.Subset("s", [2, 0]).Labels.ToArray());

        // A table whose samples are not the shape's size is refused.
        var error = Assert.Throws<ArgumentException>(() => new Dataset("wrong", [1, 2, 3], 2, table, [0, 1]));
        Assert.Equal("wrong: a sample of shape 1x2x3 has 6 values, the pixel table's samples 4", error.Message);
    }
}
