using Microsoft.ML;
using Microsoft.ML.Data;

namespace ByzantineSim.Clients.Data;

/// <summary>Options of a tabular CSV data set.</summary>
/// <param name="Path">The training file (or the only file).</param>
/// <param name="TestPath">A separate test file, or empty to split <paramref name="Path"/>.</param>
/// <param name="TestFraction">Share of rows held out for testing when there is no test file.</param>
/// <param name="Label">Name of the label (or target) column.</param>
/// <param name="Features">Feature columns; empty means every other column.</param>
/// <param name="Regression">Real-valued target and squared loss instead of classes.</param>
/// <param name="Normalize">Standardise features with the training rows' mean and variance.</param>
/// <param name="Separator">Field separator.</param>
/// <param name="Seed">Seed of the train/test split.</param>
public sealed record CsvOptions(
    string Path,
    string TestPath,
    double TestFraction,
    string Label,
    ImmutableArray<string> Features,
    bool Regression,
    bool Normalize,
    char Separator,
    ulong Seed);

/// <summary>
/// Loads a CSV file with a header row through ML.NET's text loader; normalisation is ML.NET's
/// mean-variance normaliser (centred: fixZero off) fitted on the training rows only. Class labels may be any numbers:
/// their distinct values, sorted, become classes 0..C-1.
/// </summary>
public static class CsvDataset
{
    /// <summary>Loads the train and test sets; errors name the file and the column.</summary>
    public static DataSplit Load(CsvOptions options, string name)
    {
        var ml = new MLContext(seed: 0);
        var (featureColumns, labelColumn) = Columns(options);
        var train = Read(ml, options.Path, options, featureColumns, labelColumn);
        IDataView test;
        if (options.TestPath.Length > 0)
        {
            test = Read(ml, options.TestPath, options, featureColumns, labelColumn);
        }
        else
        {
            if (options.TestFraction is <= 0 or >= 1)
            {
                throw new InvalidDataException($"{options.Path}: test_fraction must be in (0, 1), got {options.TestFraction}");
            }

            // ML.NET's seeded split: reproducible for a given seed and ML.NET version.
            var split = ml.Data.TrainTestSplit(train, options.TestFraction, seed: unchecked((int)options.Seed));
            train = split.TrainSet;
            test = split.TestSet;
        }

        var pipeline = ml.Transforms.Concatenate("Features", featureColumns);
        var transformer = options.Normalize
            ? pipeline.Append(ml.Transforms.NormalizeMeanVariance("Features", fixZero: false)).Fit(train)
            : (ITransformer)pipeline.Fit(train);
        var (trainX, trainY) = Extract(transformer.Transform(train), featureColumns, labelColumn, options.Path);
        var (testX, testY) = Extract(transformer.Transform(test), featureColumns, labelColumn, options.TestPath.Length > 0 ? options.TestPath : options.Path);
        int features = featureColumns.Length;
        ImmutableArray<int> shape = [features];
        if (options.Regression)
        {
            return new DataSplit(
                Dataset.Regression($"{name}/train", shape, trainX, trainY),
                Dataset.Regression($"{name}/test", shape, testX, testY));
        }

        var classes = trainY.Concat(testY).Distinct().Order().ToList();
        var index = classes.Select((value, i) => (value, i)).ToDictionary(p => p.value, p => p.i);
        return new DataSplit(
            new Dataset($"{name}/train", shape, classes.Count, trainX, [.. trainY.Select(y => index[y])]),
            new Dataset($"{name}/test", shape, classes.Count, testX, [.. testY.Select(y => index[y])]));
    }

    /// <summary>Reads the header to find the label and feature columns; missing ones are an error naming them.</summary>
    private static (string[] Features, string Label) Columns(CsvOptions options)
    {
        if (!File.Exists(options.Path))
        {
            throw new FileNotFoundException($"CSV file not found: {options.Path}", options.Path);
        }

        var header = (File.ReadLines(options.Path).FirstOrDefault() ?? "").Split(options.Separator).Select(h => h.Trim()).ToArray();
        if (!header.Contains(options.Label))
        {
            throw new InvalidDataException($"{options.Path}: no label column '{options.Label}'; columns: {string.Join(", ", header)}");
        }

        var features = options.Features.IsDefaultOrEmpty ? header.Where(h => h != options.Label).ToArray() : [.. options.Features];
        var unknown = features.Where(f => !header.Contains(f)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"{options.Path}: no column {string.Join(", ", unknown.Select(u => $"'{u}'"))}; columns: {string.Join(", ", header)}");
        }

        return (features, options.Label);
    }

    private static IDataView Read(MLContext ml, string path, CsvOptions options, string[] features, string label)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CSV file not found: {path}", path);
        }

        var header = (File.ReadLines(path).FirstOrDefault() ?? "").Split(options.Separator).Select(h => h.Trim()).ToList();
        var columns = features.Append(label).Select(column =>
        {
            int position = header.IndexOf(column);
            return position < 0
                ? throw new InvalidDataException($"{path}: no column '{column}'")
                : new TextLoader.Column(column, DataKind.Single, position);
        }).ToArray();
        // Without MissingRealsAsNaNs ML.NET reads an empty field as 0; NaN lets us report it.
        return ml.Data.LoadFromTextFile(path, new TextLoader.Options
        {
            Columns = columns,
            HasHeader = true,
            Separators = [options.Separator],
            MissingRealsAsNaNs = true,
        });
    }

    private static (float[] X, float[] Y) Extract(IDataView data, string[] features, string label, string path)
    {
        var x = data.GetColumn<float[]>("Features").ToList();
        var y = data.GetColumn<float>(label).ToArray();
        for (int i = 0; i < x.Count; i++)
        {
            int bad = Array.FindIndex(x[i], v => !float.IsFinite(v));
            if (bad >= 0 || !float.IsFinite(y[i]))
            {
                // ML.NET reads an empty or non-numeric field as NaN.
                throw new InvalidDataException(
                    $"{path}: column '{(bad >= 0 ? features[bad] : label)}' has a missing or non-numeric value");
            }
        }

        return ([.. x.SelectMany(r => r)], y);
    }
}
