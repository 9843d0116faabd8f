using System.Globalization;

namespace ByzantineSim.Clients.Tests;

public sealed class CsvDatasetTests() : TempFolderTest("csv-tests-")
{
    private string WriteCsv(string name, int rows, bool missingValue = false)
    {
        var lines = new List<string> { "height,weight,species" };
        for (int i = 0; i < rows; i++)
        {
            string weight = missingValue && i == 3 ? "" : (2 * i).ToString(CultureInfo.InvariantCulture);
            lines.Add($"{i},{weight},{(i % 3) * 5}");
        }

        string path = Path.Combine(Folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static CsvOptions Options(string path, string label = "species", bool regression = false) =>
        new(path, "", 0.25, label, [], regression, Normalize: true, ',', 7);

    [Fact]
    public void Load_Classification_SplitsNormalisesAndMapsLabels()
    {
        var data = CsvDataset.Load(Options(WriteCsv("a.csv", 200)), "a");
        Assert.Equal(200, data.Train.Count + data.Test.Count);
        Assert.InRange(data.Test.Count, 30, 70);
        Assert.Equal(2, data.Train.FeatureCount);
        Assert.Equal(3, data.Train.Classes); // labels 0, 5, 10 become classes 0, 1, 2
        double mean = data.Train.Features.ToArray().Average(v => (double)v);
        Assert.Equal(0.0, mean, 1);
        Assert.Equal(CsvDataset.Load(Options(WriteCsv("b.csv", 200)), "a").Test.Features.ToArray(), data.Test.Features.ToArray());
    }

    [Fact]
    public void Load_Regression_KeepsRealTargets()
    {
        var data = CsvDataset.Load(Options(WriteCsv("r.csv", 100), label: "weight", regression: true), "r");
        Assert.True(data.Train.IsRegression);
        Assert.Equal(1, data.Train.Classes);
        Assert.Contains(data.Train.Targets.ToArray(), t => t > 100);
    }

    [Fact]
    public void Load_UnknownLabelColumn_ListsColumns()
    {
        string path = WriteCsv("c.csv", 20);
        var error = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(Options(path, label: "kind"), "c"));
        Assert.Equal($"{path}: no label column 'kind'; columns: height, weight, species", error.Message);
    }

    [Fact]
    public void Load_MissingValue_NamesTheColumn()
    {
        string path = WriteCsv("m.csv", 40, missingValue: true);
        var error = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(Options(path), "m"));
        Assert.Equal($"{path}: column 'weight' has a missing or non-numeric value", error.Message);
    }
}

public class SyntheticDataTests
{
    [Fact]
    public void LogisticData_IsLearnableAndDeterministic()
    {
        var a = SyntheticRegression.Logistic(10, 3, 500, 100, 5.0, 1);
        var b = SyntheticRegression.Logistic(10, 3, 500, 100, 5.0, 1);
        Assert.Equal(a.Train.Labels.ToArray(), b.Train.Labels.ToArray());
        Assert.Equal(3, a.Train.Classes);
        Assert.All(a.Train.ClassHistogram(), count => Assert.InRange(count, 50, 350));
    }

    [Fact]
    public void LinearData_TargetsFollowTheTrueModel()
    {
        var data = SyntheticRegression.Linear(4, 2000, 10, 0.0, 3);
        var truth = SyntheticRegression.TrueParameters(4, 1, 1.0, 3);
        for (int i = 0; i < 5; i++)
        {
            var x = data.Train.FeaturesOf(i);
            double expected = truth[4] + (truth[0] * x[0]) + (truth[1] * x[1]) + (truth[2] * x[2]) + (truth[3] * x[3]);
            Assert.Equal(expected, data.Train.Targets[i], 4);
        }
    }

    [Fact]
    public void ValidationSplit_HoldsOutTheFractionFromTraining()
    {
        var split = SyntheticClassification.Generate(new SyntheticOptions(TrainSize: 1000, TestSize: 100)).WithValidation(0.2, 5);
        Assert.Equal(800, split.Train.Count);
        Assert.Equal(200, split.Validation!.Count);
        Assert.Equal(100, split.Test.Count);
    }
}
