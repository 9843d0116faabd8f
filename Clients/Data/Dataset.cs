namespace ByzantineSim.Clients.Data;

/// <summary>
/// An in-memory data set: one float32 feature row per sample (images flattened channel-major)
/// and either an integer label in [0, <see cref="Classes"/>) (classification) or a real target
/// (regression, where <see cref="Classes"/> is 1, the model's output width, and every label is
/// 0 so that partitioners see one class). Immutable after construction and shared read-only by
/// every client of a process.
/// </summary>
public sealed class Dataset
{
    private readonly float[]? _features;
    private readonly PixelTable? _pixels;
    private readonly int[] _labels;
    private readonly float[]? _targets;
    private (float Low, float High)? _range;

    /// <summary>Creates a data set, taking ownership of both arrays.</summary>
    /// <param name="name">Display name, e.g. "fashion-mnist/train".</param>
    /// <param name="sampleShape">Shape of one sample, e.g. [1, 28, 28] or [64].</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="features">Count x prod(sampleShape) values, row-major.</param>
    /// <param name="labels">One label per sample.</param>
    /// <param name="targets">Regression targets (one per sample), or null for classification.</param>
    /// <param name="users">
    /// The natural owner of each sample (a LEAF writer or speaker) as an index into
    /// <see cref="Users"/>, or null when the data has no owners.
    /// </param>
    public Dataset(string name, ImmutableArray<int> sampleShape, int classes, float[] features, int[] labels, float[]? targets = null, DatasetUsers? users = null)
        : this(name, sampleShape, classes, features, null, labels, targets, users)
    {
    }

    /// <summary>
    /// Creates an image set kept as its pixel bytes (a quarter of the floats' memory): feature j
    /// of a sample is <paramref name="pixels"/>' table entry for its byte and channel, the very
    /// float a conversion of the whole set would have stored.
    /// </summary>
    /// <param name="name">Display name.</param>
    /// <param name="sampleShape">Shape of one sample, channel-major, e.g. [3, 32, 32].</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="pixels">The bytes and their table.</param>
    /// <param name="labels">One label per sample.</param>
    public Dataset(string name, ImmutableArray<int> sampleShape, int classes, PixelTable pixels, int[] labels)
        : this(name, sampleShape, classes, null, pixels, labels, null, null)
    {
    }

    private Dataset(string name, ImmutableArray<int> sampleShape, int classes, float[]? features, PixelTable? pixels, int[] labels, float[]? targets, DatasetUsers? users)
    {
        long values = features?.Length ?? pixels!.Bytes.Length;
        if (targets is not null && (targets.Length != labels.Length || classes != 1))
        {
            throw new ArgumentException($"{name}: a regression set needs one target per sample and classes = 1");
        }

        int featureCount = sampleShape.Aggregate(1, (a, b) => a * b);
        if (pixels is not null && pixels.SampleSize != featureCount)
        {
            throw new ArgumentException($"{name}: a sample of shape {string.Join("x", sampleShape)} has {featureCount} values, the pixel table's samples {pixels.SampleSize}");
        }

        if (values != (long)labels.Length * featureCount)
        {
            throw new ArgumentException(
                $"{name}: {labels.Length} labels need {(long)labels.Length * featureCount} feature values, got {values}");
        }

        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"{name}: label {label} is outside [0, {classes})");
            }
        }

        if (users is not null)
        {
            if (users.OfSample.Length != labels.Length)
            {
                throw new ArgumentException($"{name}: {labels.Length} samples need {labels.Length} user indices, got {users.OfSample.Length}");
            }

            if (users.OfSample.Any(u => (uint)u >= (uint)users.Names.Length))
            {
                throw new ArgumentException($"{name}: a user index is outside [0, {users.Names.Length})");
            }
        }

        Users = users;
        Name = name;
        SampleShape = sampleShape;
        FeatureCount = featureCount;
        Classes = classes;
        _features = features;
        _pixels = pixels;
        _labels = labels;
        _targets = targets;
    }

    /// <summary>Creates a regression data set (labels all 0, one output).</summary>
    public static Dataset Regression(string name, ImmutableArray<int> sampleShape, float[] features, float[] targets) =>
        new(name, sampleShape, 1, features, new int[targets.Length], targets);

    /// <summary>True for a regression set (real targets, squared loss), false for classification.</summary>
    public bool IsRegression => _targets is not null;

    /// <summary>Regression targets (empty for classification).</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>A copy of the samples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Subset(string name, ReadOnlySpan<int> indices)
    {
        if (_pixels is not null)
        {
            var labelsOf = new int[indices.Length];
            for (int k = 0; k < indices.Length; k++)
            {
                labelsOf[k] = _labels[indices[k]];
            }

            return new Dataset(name, SampleShape, Classes, _pixels.Subset(indices), labelsOf) { Background = Background };
        }

        var features = new float[indices.Length * FeatureCount];
        var labels = new int[indices.Length];
        var targets = _targets is null ? null : new float[indices.Length];
        var owners = Users is null ? null : new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            FeaturesOf(indices[k]).CopyTo(features.AsSpan(k * FeatureCount, FeatureCount));
            labels[k] = _labels[indices[k]];
            if (targets is not null)
            {
                targets[k] = _targets![indices[k]];
            }

            if (owners is not null)
            {
                owners[k] = Users!.OfSample[indices[k]];
            }
        }

        return new Dataset(name, SampleShape, Classes, features, labels, targets, owners is null ? null : new DatasetUsers(Users!.Names, [.. owners]))
        {
            Background = Background,
        };
    }

    /// <summary>Display name.</summary>
    public string Name { get; }

    /// <summary>
    /// Per channel of an image set, the feature value of a black pixel after the loader's
    /// standardisation: what a random crop pads with. Empty: pad with 0. <value>empty</value>
    /// </summary>
    public ImmutableArray<float> Background { get; init; } = [];

    /// <summary>The natural owner (LEAF user) of every sample, or null when the data has none.</summary>
    public DatasetUsers? Users { get; }

    /// <summary>Shape of one sample.</summary>
    public ImmutableArray<int> SampleShape { get; }

    /// <summary>Values per sample (product of <see cref="SampleShape"/>).</summary>
    public int FeatureCount { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>Every sample's class label, in sample order (all 0 for a regression set).</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>
    /// All feature values, row-major. A set kept as pixel bytes decodes a new array on every call
    /// (for tests and tools; the training path copies one sample at a time, <see cref="CopyFeatures"/>).
    /// </summary>
    public ReadOnlySpan<float> Features => _features ?? _pixels!.Decode(0, Count);

    /// <summary>
    /// The features of sample <paramref name="index"/>: a view of the stored floats, or for a set
    /// kept as pixel bytes a new decoded array (use <see cref="CopyFeatures"/> where it matters).
    /// </summary>
    public ReadOnlySpan<float> FeaturesOf(int index) =>
        _features is not null ? _features.AsSpan(index * FeatureCount, FeatureCount) : _pixels!.Decode(index, 1);

    /// <summary>Writes the features of sample <paramref name="index"/> to <paramref name="destination"/> (<see cref="FeatureCount"/> values).</summary>
    public void CopyFeatures(int index, Span<float> destination)
    {
        if (_features is not null)
        {
            _features.AsSpan(index * FeatureCount, FeatureCount).CopyTo(destination);
        }
        else
        {
            _pixels!.CopyTo(index, destination);
        }
    }

    /// <summary>The smallest and largest feature value of the set (computed once).</summary>
    public (float Low, float High) FeatureRange => _range ??= _pixels is not null ? _pixels.Range()
        : _features!.Length == 0 ? (0f, 0f)
        : (System.Numerics.Tensors.TensorPrimitives.Min<float>(_features), System.Numerics.Tensors.TensorPrimitives.Max<float>(_features));

    /// <summary>Per-class sample counts.</summary>
    public ImmutableArray<int> ClassHistogram()
    {
        var counts = new int[Classes];
        foreach (int label in _labels)
        {
            counts[label]++;
        }

        return [.. counts];
    }
}

/// <summary>The users (writers, speakers) that own a data set's samples, as LEAF ships them.</summary>
/// <param name="Names">Every user's id, e.g. <c>f0000_14</c>, in the order the indices refer to.</param>
/// <param name="OfSample">Per sample, the index of its user in <paramref name="Names"/>.</param>
public sealed record DatasetUsers(ImmutableArray<string> Names, ImmutableArray<int> OfSample);

/// <summary>A training set, a test set and an optional validation set of the same shape and classes.</summary>
/// <param name="Train">Samples the clients train on.</param>
/// <param name="Test">Samples the server evaluates on.</param>
/// <param name="Validation">Samples held out of training for model selection, or null.</param>
public sealed record DataSplit(Dataset Train, Dataset Test, Dataset? Validation = null)
{
    /// <summary>
    /// Holds out <paramref name="fraction"/> of the training set as a validation set, chosen by a
    /// seeded permutation (stratification is unnecessary for the fractions used in practice).
    /// </summary>
    public DataSplit WithValidation(double fraction, ulong seed)
    {
        if (fraction <= 0)
        {
            return this;
        }

        var order = Enumerable.Range(0, Train.Count).ToArray();
        new Core.Numerics.DeterministicRandom(seed).FisherYates(order.AsSpan());
        int held = (int)Math.Round(fraction * Train.Count);
        var validation = order[..held];
        var train = order[held..];
        Array.Sort(validation);
        Array.Sort(train);
        return new DataSplit(Train.Subset(Train.Name, train), Test, Train.Subset(Train.Name.Replace("/train", "/validation", StringComparison.Ordinal), validation));
    }
}
