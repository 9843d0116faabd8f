namespace ByzantineSim.Clients.Data;

/// <summary>
/// A Gaussian-mixture classification problem that needs no files: each class owns
/// <see cref="SyntheticOptions.ClustersPerClass"/> cluster centres drawn from N(0, separation^2 I),
/// and a sample is its cluster's centre plus N(0, I) noise. Several clusters per class make the
/// classes not linearly separable, so an MLP beats logistic regression.
/// </summary>
public static class SyntheticClassification
{
    /// <summary>Generates the train and test sets deterministically from <see cref="SyntheticOptions.Seed"/>.</summary>
    public static DataSplit Generate(SyntheticOptions options)
    {
        var random = new DeterministicRandom(Seed.Derive(options.Seed, "synthetic-centres"));
        int clusters = options.Classes * options.ClustersPerClass;
        var centres = new float[clusters * options.Features];
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = (float)(options.Separation * random.NextGaussian());
        }

        return new DataSplit(
            Sample(options, centres, options.TrainSize, "train"),
            Sample(options, centres, options.TestSize, "test"));
    }

    private static Dataset Sample(SyntheticOptions options, float[] centres, int count, string part)
    {
        var random = new DeterministicRandom(Seed.Derive(options.Seed, "synthetic-" + part));
        int d = options.Features;
        var features = new float[count * d];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            // Balanced classes: sample i belongs to class i mod C, in a random cluster of it.
            int label = i % options.Classes;
            int cluster = (label * options.ClustersPerClass) + random.Next(options.ClustersPerClass);
            labels[i] = label;
            var row = features.AsSpan(i * d, d);
            var centre = centres.AsSpan(cluster * d, d);
            for (int j = 0; j < d; j++)
            {
                row[j] = centre[j] + (float)(options.Noise * random.NextGaussian());
            }
        }

        return new Dataset($"synthetic/{part}", [d], options.Classes, features, labels);
    }
}

/// <summary>Options of the synthetic Gaussian-mixture data set.</summary>
/// <param name="Classes">Number of classes. <value>10</value></param>
/// <param name="Features">Dimension of a sample. <value>32</value></param>
/// <param name="ClustersPerClass">Mixture components per class. <value>2</value></param>
/// <param name="Separation">Standard deviation of the cluster centres. <value>1.0</value></param>
/// <param name="Noise">Standard deviation of the per-sample noise. <value>1.0</value></param>
/// <param name="TrainSize">Training samples. <value>20000</value></param>
/// <param name="TestSize">Test samples. <value>5000</value></param>
/// <param name="Seed">Seed of the data set itself (not of the run). <value>0</value></param>
public sealed record SyntheticOptions(
    int Classes = 10,
    int Features = 32,
    int ClustersPerClass = 2,
    double Separation = 1.0,
    double Noise = 1.0,
    int TrainSize = 20000,
    int TestSize = 5000,
    ulong Seed = 0);
