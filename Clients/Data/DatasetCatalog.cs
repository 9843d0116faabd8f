using System.Collections.Concurrent;

namespace ByzantineSim.Clients.Data;

/// <summary>A configured data set: how to check it is available and how to load it.</summary>
public interface IDatasetSource
{
    /// <summary>A canonical description; equal keys load equal data (used to share loads).</summary>
    string Key { get; }

    /// <summary>
    /// Number of label classes, known without loading (validation of data-poisoning attacks
    /// needs it); 0 when it is not known before loading (CSV files, regression).
    /// </summary>
    int Classes { get; }

    /// <summary>The data's dimensions when known without loading (synthetic sets, MNIST-like sets), else null.</summary>
    DataShape? Shape => null;

    /// <summary>True when every sample belongs to a user (LEAF), which the natural partition needs.</summary>
    bool HasUsers => false;

    /// <summary>The shape of one sample when known without loading (default when not), for checks such as augmentation's.</summary>
    ImmutableArray<int> SampleShape => Shape?.SampleShape ?? default;

    /// <summary>Problems that would make <see cref="Load"/> fail (missing files), for validation.</summary>
    ImmutableArray<PluginError> Check();

    /// <summary>Loads the data (callers should go through <see cref="DatasetCatalog.Load"/> to share it).</summary>
    DataSplit Load();
}

/// <summary>A data set's dimensions, known before loading it.</summary>
/// <param name="SampleShape">Shape of one sample, e.g. [1, 28, 28].</param>
/// <param name="Outputs">Model outputs: the classes, or 1 for regression.</param>
/// <param name="TrainSize">Training samples.</param>
/// <param name="TestSize">Test samples.</param>
public sealed record DataShape(ImmutableArray<int> SampleShape, int Outputs, int TrainSize, int TestSize)
{
    /// <summary>Bytes per stored feature value: 1 for image sets kept as pixel bytes (<see cref="PixelTable"/>), 4 for floats. <value>4</value></summary>
    public int BytesPerFeature { get; init; } = 4;
}

/// <summary>The built-in data sets and a process-wide cache so that each is loaded once.</summary>
public static partial class DatasetCatalog
{
    /// <summary>
    /// The option every data set accepts: the share of the training set held out as a validation
    /// set (evaluated alongside the test set, never trained on).
    /// </summary>
    public static readonly Parameter<double> ValidationParameter = new(
        "validation_fraction", 0.0, "share of the training set held out for validation", v => v is >= 0 and < 1 ? null : "must be in [0, 1)");

    private static readonly ConcurrentDictionary<string, Lazy<DataSplit>> Loaded = new(StringComparer.Ordinal);

    private static readonly Parameter<string> FolderParameter = new(
        "folder", IdxImageDataset.DebianFashionMnistFolder, "folder holding the four IDX files (gzip or raw)");

    private static readonly Parameter<string> RequiredFolderParameter = new(
        "folder", "", "folder holding the four IDX files (gzip or raw)", value => value.Length > 0 ? null : "must not be empty", Required: true);

    private static readonly Parameter<string> PrefixParameter = new(
        "prefix", "", "prefix of every file name, e.g. emnist-balanced-");

    private static readonly Parameter<bool> StandardizeParameter = new(
        "standardize", true, "standardise pixels with the training set's mean and deviation; false: pixels / 255 in [0, 1] (torchvision's ToTensor, as ByzFL feeds them)");

    private static readonly Parameter<int> ClassesParameter = new("classes", 10, "number of classes", v => v >= 2 ? null : "must be >= 2");
    private static readonly Parameter<int> FeaturesParameter = new("features", 32, "dimension of a sample", v => v >= 1 ? null : "must be >= 1");
    private static readonly Parameter<int> ClustersParameter = new("clusters_per_class", 2, "mixture components per class", v => v >= 1 ? null : "must be >= 1");
    private static readonly Parameter<double> SeparationParameter = new("separation", 1.0, "std of the cluster centres", v => v > 0 ? null : "must be > 0");
    private static readonly Parameter<double> NoiseParameter = new("noise", 1.0, "std of the per-sample noise", v => v >= 0 ? null : "must be >= 0");
    private static readonly Parameter<double> ScaleParameter = new("scale", 3.0, "size of the true logits (larger: more separable)", v => v > 0 ? null : "must be > 0");
    private static readonly Parameter<int> TrainSizeParameter = new("train_size", 20000, "training samples", v => v >= 1 ? null : "must be >= 1");
    private static readonly Parameter<int> TestSizeParameter = new("test_size", 5000, "test samples", v => v >= 1 ? null : "must be >= 1");
    private static readonly Parameter<long> SeedParameter = new("seed", 0L, "seed of the data set itself (not of the run)");

    private static readonly Parameter<string> PathParameter = new("path", "", "the CSV file (with a header row)", v => v.Length > 0 ? null : "must not be empty", Required: true);
    private static readonly Parameter<string> TestPathParameter = new("test_path", "", "a separate test CSV; empty: split path by test_fraction");
    private static readonly Parameter<double> TestFractionParameter = new("test_fraction", 0.2, "share of rows held out for testing", v => v is > 0 and < 1 ? null : "must be in (0, 1)");
    private static readonly Parameter<string> LabelParameter = new("label", "label", "label (or regression target) column");
    private static readonly Parameter<string> FeatureColumnsParameter = new("features", "", "comma-separated feature columns; empty: all but the label");
    private static readonly Parameter<string> TaskParameter = new("task", "classification", "what the label is", Choices: ["classification", "regression"]);
    private static readonly Parameter<bool> NormalizeParameter = new("normalize", true, "standardise features with the training rows' mean and variance");
    private static readonly Parameter<string> SeparatorParameter = new("separator", ",", "field separator (one character)", v => v.Length == 1 ? null : "must be one character");

    /// <summary>Every built-in data set.</summary>
    public static PluginRegistry<PluginDescriptor<IDatasetSource>> Registry { get; } = new("dataset",
    [
        new PluginDescriptor<IDatasetSource>(
            "synthetic",
            "Gaussian-mixture classification generated from a seed; needs no files",
            [ClassesParameter, FeaturesParameter, ClustersParameter, SeparationParameter, NoiseParameter, TrainSizeParameter, TestSizeParameter, SeedParameter],
            Synthetic),
        new PluginDescriptor<IDatasetSource>(
            "synthetic-logistic",
            "multinomial logistic regression data from known true weights; needs no files",
            [ClassesParameter, FeaturesParameter, ScaleParameter, TrainSizeParameter, TestSizeParameter, SeedParameter],
            binder =>
            {
                int classes = binder.Get(ClassesParameter), features = binder.Get(FeaturesParameter), train = binder.Get(TrainSizeParameter), test = binder.Get(TestSizeParameter);
                double scale = binder.Get(ScaleParameter);
                ulong seed = (ulong)binder.Get(SeedParameter);
                return new Source($"synthetic-logistic:{classes}:{features}:{scale:R}:{train}:{test}:{seed}", classes, [],
                    () => SyntheticRegression.Logistic(features, classes, train, test, scale, seed)) { Shape = new([features], classes, train, test) };
            }),
        new PluginDescriptor<IDatasetSource>(
            "synthetic-linear",
            "linear regression data y = w*.x + b* + noise from known true weights (squared loss); needs no files",
            [FeaturesParameter, NoiseParameter, TrainSizeParameter, TestSizeParameter, SeedParameter],
            binder =>
            {
                int features = binder.Get(FeaturesParameter), train = binder.Get(TrainSizeParameter), test = binder.Get(TestSizeParameter);
                double noise = binder.Get(NoiseParameter);
                ulong seed = (ulong)binder.Get(SeedParameter);
                return new Source($"synthetic-linear:{features}:{noise:R}:{train}:{test}:{seed}", 0, [],
                    () => SyntheticRegression.Linear(features, train, test, noise, seed)) { Shape = new([features], 1, train, test) };
            }),
        new PluginDescriptor<IDatasetSource>(
            "fashion-mnist",
            "Fashion-MNIST, 28x28 grey images, 10 classes (Debian package dataset-fashion-mnist)",
            [FolderParameter, StandardizeParameter],
            binder => Idx("fashion-mnist", binder.Get(FolderParameter), "", 10, binder.Get(StandardizeParameter))),
        new PluginDescriptor<IDatasetSource>(
            "mnist",
            "MNIST digits from IDX files in a folder you provide",
            [RequiredFolderParameter, StandardizeParameter],
            binder => Idx("mnist", binder.Get(RequiredFolderParameter), "", 10, binder.Get(StandardizeParameter))),
        new PluginDescriptor<IDatasetSource>(
            "idx",
            "any MNIST-style IDX image set (EMNIST: prefix emnist-balanced- and so on; EMNIST images are stored transposed)",
            [RequiredFolderParameter, PrefixParameter, StandardizeParameter],
            binder => Idx("idx", binder.Get(RequiredFolderParameter), binder.Get(PrefixParameter), 0, binder.Get(StandardizeParameter))),
        new PluginDescriptor<IDatasetSource>(
            "csv",
            "tabular data from a CSV file with a header, loaded and normalised through ML.NET",
            [PathParameter, TestPathParameter, TestFractionParameter, LabelParameter, FeatureColumnsParameter, TaskParameter, NormalizeParameter, SeparatorParameter, SeedParameter],
            Csv),
        .. Published(),
    ]);

    /// <summary>Loads <paramref name="source"/> once per process and returns the shared copy.</summary>
    public static DataSplit Load(IDatasetSource source) =>
        Loaded.GetOrAdd(source.Key, _ => new Lazy<DataSplit>(source.Load)).Value;

    /// <summary>Binds a data set's raw options, including the common <c>validation_fraction</c>.</summary>
    public static (IDatasetSource Source, ImmutableArray<PluginError> Errors) Bind(
        PluginDescriptor<IDatasetSource> descriptor, IReadOnlyDictionary<string, string> raw)
        => OptionsBinder.Bind(descriptor.Name, raw, binder =>
        {
            double validation = binder.Get(ValidationParameter);
            var source = descriptor.Create(binder);
            return validation > 0 ? new ValidationSource(source, validation) : source;
        });

    private static IDatasetSource Synthetic(OptionsBinder binder)
    {
        var options = new SyntheticOptions(
            binder.Get(ClassesParameter),
            binder.Get(FeaturesParameter),
            binder.Get(ClustersParameter),
            binder.Get(SeparationParameter),
            binder.Get(NoiseParameter),
            binder.Get(TrainSizeParameter),
            binder.Get(TestSizeParameter),
            (ulong)binder.Get(SeedParameter));
        return new Source($"synthetic:{options}", options.Classes, [], () => SyntheticClassification.Generate(options))
        {
            Shape = new([options.Features], options.Classes, options.TrainSize, options.TestSize),
        };
    }

    /// <summary>
    /// A data folder or file as messages name it: a relative one with the working directory it is under,
    /// since that (not the spec's folder) is where it is looked for.
    /// </summary>
    private static string Where(string folder) =>
        Path.IsPathRooted(folder) ? $"'{folder}'" : $"'{folder}' (under {Environment.CurrentDirectory}, the working directory)";

    /// <summary>
    /// An IDX data set; <paramref name="classes"/> is 10 for MNIST and Fashion-MNIST (the simulator
    /// checks the loaded labels agree), 0 when unknown; <paramref name="standardize"/> false keeps pixels in [0, 1].
    /// </summary>
    private static IDatasetSource Idx(string name, string folder, string prefix, int classes, bool standardize)
    {
        // An empty folder was already reported as a missing required option.
        var missing = folder.Length == 0 ? [] : IdxImageDataset.MissingFiles(folder, prefix);
        string hint = folder == IdxImageDataset.DebianFashionMnistFolder
            ? " (install it with: sudo apt-get install dataset-fashion-mnist, or run scripts/setup.sh)"
            : "";
        ImmutableArray<PluginError> problems = missing.IsEmpty
            ? []
            : [new PluginError("folder", $"{name} data not found in {Where(folder)}: missing {string.Join(", ", missing.Select(Path.GetFileName))}{hint}")];
        string key = $"idx:{name}:{prefix}:{(folder.Length == 0 ? "" : Path.GetFullPath(folder))}{(standardize ? "" : ":unstandardised")}";
        return new Source(key, classes, problems, () => IdxImageDataset.Load(folder, name, prefix, classes: 0, standardize: standardize))
        {
            // MNIST and Fashion-MNIST: 60,000 + 10,000 grey 28x28 images; other IDX sets are known only once read.
            Shape = classes == 10 ? new([1, 28, 28], 10, 60_000, 10_000) { BytesPerFeature = 1 } : null,
        };
    }

    private static IDatasetSource Csv(OptionsBinder binder)
    {
        string featureList = binder.Get(FeatureColumnsParameter);
        var options = new CsvOptions(
            binder.Get(PathParameter),
            binder.Get(TestPathParameter),
            binder.Get(TestFractionParameter),
            binder.Get(LabelParameter),
            [.. featureList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            binder.Get(TaskParameter) == "regression",
            binder.Get(NormalizeParameter),
            binder.Get(SeparatorParameter) is [var separator] ? separator : ',',
            (ulong)binder.Get(SeedParameter));
        var problems = ImmutableArray.CreateBuilder<PluginError>();
        if (options.Path.Length > 0 && !File.Exists(options.Path))
        {
            problems.Add(new PluginError("path", $"CSV file not found: {Where(options.Path)}"));
        }

        if (options.TestPath.Length > 0 && !File.Exists(options.TestPath))
        {
            problems.Add(new PluginError("test_path", $"CSV file not found: {Where(options.TestPath)}"));
        }

        string key = $"csv:{Path.GetFullPath(options.Path.Length > 0 ? options.Path : ".")}:{options with { Path = "", Features = [] }}:{featureList}";
        return new Source(key, 0, problems.ToImmutable(), () => CsvDataset.Load(options, "csv"));
    }

    private sealed class Source(string key, int classes, ImmutableArray<PluginError> problems, Func<DataSplit> load) : IDatasetSource
    {
        public string Key { get; } = key;

        public int Classes { get; } = classes;

        public DataShape? Shape { get; init; }

        public bool HasUsers { get; init; }

        public ImmutableArray<int> KnownSampleShape { get; init; }

        public ImmutableArray<int> SampleShape => Shape?.SampleShape ?? KnownSampleShape;

        public ImmutableArray<PluginError> Check() => problems;

        public DataSplit Load() => load();
    }

    private sealed class ValidationSource(IDatasetSource inner, double fraction) : IDatasetSource
    {
        public string Key => $"{inner.Key}|validation={fraction:R}";

        public int Classes => inner.Classes;

        public DataShape? Shape => inner.Shape;

        public bool HasUsers => inner.HasUsers;

        public ImmutableArray<int> SampleShape => inner.SampleShape;

        public ImmutableArray<PluginError> Check() => inner.Check();

        public DataSplit Load() => DatasetCatalog.Load(inner).WithValidation(fraction, Core.Numerics.Seed.Derive(0, "validation-split"));
    }
}
