using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Clients.Tests.Data;

public sealed class EmnistTests() : TempFolderTest("emnist-tests-")
{
    private static PluginDescriptor<IDatasetSource> Descriptor(string name) => DatasetCatalog.Registry.All.Single(d => d.Name == name);

    [Theory]
    [InlineData("balanced", 47, 0)]
    [InlineData("letters", 26, 1)]
    [InlineData("digits", 10, 0)]
    public void Load_Split_TransposesImagesAndNumbersClassesFromZero(string split, int classes, int labelBase)
    {
        PublishedFormats.WriteEmnist(Folder, split, train: 240, test: 60, classes, labelBase);
        var (source, errors) = DatasetCatalog.Bind(Descriptor("emnist"), new Dictionary<string, string> { ["folder"] = Folder, ["split"] = split });
        Assert.Empty(errors);
        Assert.Empty(source.Check());
        var data = source.Load();

        Assert.Equal(240, data.Train.Count);
        Assert.Equal(60, data.Test.Count);
        Assert.Equal(classes, data.Train.Classes);
        Assert.Equal(Enumerable.Range(0, 240).Select(i => i % classes), data.Train.Labels.ToArray());

        // Pixel (r, c) of the loaded image is stored pixel (c, r), standardised with the stored training pixels' mean and deviation.
        var pixels = Enumerable.Range(0, 240).SelectMany(i => Enumerable.Range(0, 784).Select(p => PublishedFormats.EmnistStoredPixel(i, p / 28, p % 28) / 255.0)).ToList();
        double mean = pixels.Average();
        double deviation = Math.Sqrt(pixels.Average(v => (v - mean) * (v - mean)));
        var image = data.Train.FeaturesOf(5);
        foreach (var (r, c) in new[] { (0, 1), (1, 0), (3, 17), (27, 2) })
        {
            Assert.Equal(((PublishedFormats.EmnistStoredPixel(5, c, r) / 255.0) - mean) / deviation, image[(r * 28) + c], 4);
        }
    }

    [Fact]
    public void Check_MissingFiles_NamesThemAndWhereEmnistComesFrom()
    {
        var (source, _) = DatasetCatalog.Bind(Descriptor("emnist"), new Dictionary<string, string> { ["folder"] = Folder, ["split"] = "letters" });
        var problem = Assert.Single(source.Check());
        Assert.Equal("folder", problem.Key);
        Assert.Equal(
            $"emnist data not found in '{Folder}': missing emnist-letters-train-images-idx3-ubyte[.gz], emnist-letters-train-labels-idx1-ubyte[.gz], "
            + $"emnist-letters-t10k-images-idx3-ubyte[.gz], emnist-letters-t10k-labels-idx1-ubyte[.gz]; download the gzip archive from {DatasetCatalog.EmnistSource} and extract its gzip/ folder",
            problem.Message);
    }

    [Theory]
    [InlineData("cifar-10", "missing data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin; download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it")]
    [InlineData("cifar-100", "missing train.bin, test.bin; download cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it")]
    [InlineData("femnist", "missing train/*.json, test/*.json; generate them with LEAF's data/femnist/preprocess.sh -t sample (https://github.com/TalwalkarLab/leaf) and give its data/femnist/data folder")]
    public void Check_OtherPublishedSets_NameTheExpectedFilesAndTheirSource(string name, string expected)
    {
        var (source, _) = DatasetCatalog.Bind(Descriptor(name), new Dictionary<string, string> { ["folder"] = Folder });
        Assert.Equal($"{name} data not found in '{Folder}': {expected}", Assert.Single(source.Check()).Message);
    }
}
