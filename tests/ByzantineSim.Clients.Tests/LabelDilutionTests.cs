using System.Security.Cryptography;

namespace ByzantineSim.Clients.Tests;

public class LabelDilutionTests
{
    private const int Classes = 10;

    // 10 classes of 60 samples each, in label order: 600 samples.
    private static int[] Labels() => [.. Enumerable.Range(0, Classes).SelectMany(c => Enumerable.Repeat(c, 60))];

    private static Partition Clean(int clients = 4) => new IidPartitioner().Split(Labels(), Classes, clients, 7);

    [Fact]
    public void Apply_EveryClient_HasCleanSamplesTimesOnePlusAlpha()
    {
        var clean = Clean();
        var diluted = new LabelDilution(20, null).Apply(clean, 600, Classes, 11);

        for (int client = 0; client < 4; client++)
        {
            Assert.Equal(clean.Clients[client].Length * 21, diluted.Clients[client].Length);
        }

        Assert.Equal(600 * 21, diluted.Clients.Sum(c => c.Length));
    }

    [Fact]
    public void Apply_FirstKClients_OnlyThoseAreDiluted()
    {
        var clean = Clean();
        var diluted = new LabelDilution(5, 1).Apply(clean, 600, Classes, 11);

        Assert.Equal(clean.Clients[0].Length * 6, diluted.Clients[0].Length);
        Assert.Equal(clean.Clients.Skip(1), diluted.Clients.Skip(1));
        Assert.True(diluted.IsDiluted(0));
        Assert.False(diluted.IsDiluted(1));
    }

    [Fact]
    public void Apply_CleanPart_IsUntouched()
    {
        var labels = Labels();
        var clean = Clean();
        var diluted = new LabelDilution(3, null).Apply(clean, 600, Classes, 11);
        var samples = diluted.Dilution!;

        for (int client = 0; client < 4; client++)
        {
            // The clean samples keep their indices (and so their images and labels) and come first.
            var kept = diluted.Clients[client].Where(s => !samples.IsNoisy(s));
            Assert.Equal(clean.Clients[client], kept);
            Assert.All(kept, s => Assert.Equal(labels[s], samples.LabelOf(s, labels)));
        }

        // Every noisy example is a copy of one of its own client's clean images, alpha copies each.
        for (int client = 0; client < 4; client++)
        {
            var images = diluted.Clients[client].Where(samples.IsNoisy).Select(samples.ImageOf).GroupBy(i => i).ToList();
            Assert.Equal(clean.Clients[client].Order(), images.Select(g => g.Key).Order());
            Assert.All(images, g => Assert.Equal(3, g.Count()));
        }
    }

    [Fact]
    public void Apply_SampleIndices_AreDistinctAndIncreasing()
    {
        var diluted = new LabelDilution(4, null).Apply(Clean(), 600, Classes, 11);
        var all = diluted.Clients.SelectMany(c => c).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(diluted.Clients, c => Assert.Equal(c.Order(), c));
    }

    [Fact]
    public void NoisyLabels_AreUniformOverAllClasses()
    {
        // 600 x 50 = 30 000 noisy labels, 3 000 expected per class. A chi-square statistic with 9
        // degrees of freedom exceeds 27.9 with probability 0.001; labels drawn from the other
        // classes only, or always the true one, would be far above it.
        var labels = Labels();
        var diluted = new LabelDilution(50, null).Apply(Clean(), 600, Classes, 11);
        var samples = diluted.Dilution!;
        var counts = new int[Classes];
        int same = 0;
        foreach (int sample in diluted.Clients.SelectMany(c => c).Where(samples.IsNoisy))
        {
            int label = samples.LabelOf(sample, labels);
            counts[label]++;
            same += label == labels[samples.ImageOf(sample)] ? 1 : 0;
        }

        Assert.Equal(30_000, counts.Sum());
        double chiSquare = counts.Sum(c => (c - 3000.0) * (c - 3000.0) / 3000.0);
        Assert.True(chiSquare < 27.9, $"chi-square {chiSquare:F1} over 9 degrees of freedom: the labels are not uniform");

        // Uniform over all classes, the true one included: about 1 in 10 noisy labels is right.
        Assert.InRange(same, 2700, 3300);
    }

    [Fact]
    public void FreshLabels_DrawAnewPerUse_UniformOverUses_FixedLabelsDoNot()
    {
        // One noisy copy used 20 000 times: fixed labels give one label every time; fresh ones
        // are uniform over the uses (chi-square with 9 degrees of freedom below 27.9, p = 0.001)
        // and the same draw gives the same label.
        var labels = Labels();
        var fixedSamples = new LabelDilution(50, null).Apply(Clean(), 600, Classes, 11).Dilution!;
        var fresh = new LabelDilution(50, null) { FreshLabels = true }.Apply(Clean(), 600, Classes, 11).Dilution!;
        Assert.True(fresh.FreshLabels);
        int copy = 600 * 7 + 5;
        var counts = new int[Classes];
        var fixedLabels = new HashSet<int>();
        for (ulong draw = 1; draw <= 20_000; draw++)
        {
            counts[fresh.LabelOf(copy, labels, draw)]++;
            fixedLabels.Add(fixedSamples.LabelOf(copy, labels, draw));
        }

        Assert.Single(fixedLabels);
        double chiSquare = counts.Sum(c => (c - 2000.0) * (c - 2000.0) / 2000.0);
        Assert.True(chiSquare < 27.9, $"chi-square {chiSquare:F1}: fresh labels are not uniform over uses");
        Assert.Equal(fresh.LabelOf(copy, labels, 77), fresh.LabelOf(copy, labels, 77));
        Assert.Equal(labels[5], fresh.LabelOf(5, labels, 3));
    }

    [Fact]
    public void Apply_SameSeed_ByteIdenticalAndOtherSeedDiffers()
    {
        var labels = Labels();
        string Digest(ulong seed)
        {
            var diluted = new LabelDilution(8, null).Apply(Clean(), 600, Classes, seed);
            var text = string.Join(";", diluted.Clients.Select(c => string.Join(",", c.Select(s => $"{s}:{diluted.Dilution!.LabelOf(s, labels)}"))));
            return Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        }

        Assert.Equal(Digest(11), Digest(11));
        Assert.NotEqual(Digest(11), Digest(12));
    }

    [Fact]
    public void ClassHistograms_CountNoisyLabels()
    {
        var labels = Labels();
        var diluted = new LabelDilution(9, null).Apply(Clean(), 600, Classes, 11);
        var histograms = diluted.ClassHistograms(labels, Classes);
        Assert.Equal(diluted.Clients.Select(c => c.Length), histograms.Select(h => h.Sum()));

        // Expected count of class 0 on client 0: its clean ones plus 1/10 of its noisy ones.
        int clean0 = diluted.Clients[0].Count(s => !diluted.Dilution!.IsNoisy(s) && labels[s] == 0);
        int noisy0 = diluted.Clients[0].Count(s => diluted.Dilution!.IsNoisy(s) && diluted.Dilution.LabelOf(s, labels) == 0);
        Assert.Equal(clean0 + noisy0, histograms[0][0]);
    }

    [Fact]
    public void Apply_AlphaZero_ReturnsThePartitionUnchanged()
    {
        var clean = Clean();
        var same = new LabelDilution(0, null).Apply(clean, 600, Classes, 11);
        Assert.Same(clean, same);
        Assert.Null(same.Dilution);
    }

    [Fact]
    public void Apply_IndicesBeyondIntRange_Throws()
    {
        // 600 samples x (1 + 4 000 000) copies do not fit in an int index.
        var error = Assert.Throws<ArgumentException>(() => new LabelDilution(4_000_000, null).Apply(Clean(), 600, Classes, 11));
        Assert.Contains("alpha", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxAlpha_IsTheLargestThatFits()
    {
        // One client holding the last of 600 samples: its last copy has the largest index,
        // 599 + 600 alpha, which must stay within int.MaxValue.
        var one = new Partition([[599]]);
        int max = LabelDilution.MaxAlpha(600);
        var largest = new LabelDilution(max, null).Apply(one, 600, Classes, 11);
        Assert.Equal(599 + (600L * max), largest.Clients[0][^1]);
        Assert.True(599 + (600L * (max + 1)) > int.MaxValue);
        Assert.Throws<ArgumentException>(() => new LabelDilution(max + 1, null).Apply(one, 600, Classes, 11));
    }

    [Fact]
    public void Batch_OfNoisyCopies_SameGradientAsTheCopiesWrittenOut()
    {
        // A client holding samples 0..7 with alpha 2: indices 0..7, N..N+7, 2N..2N+7. The runner
        // must read each copy's image from its clean sample and its label from the dilution,
        // exactly as if the 24 examples were stored.
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 4, Features: 8, TrainSize: 512, TestSize: 64, Seed: 3)).Train;
        var diluted = new LabelDilution(2, null).Apply(new Partition([[.. Enumerable.Range(0, 8)]]), data.Count, data.Classes, 5);
        var samples = diluted.Clients[0];
        var dilution = diluted.Dilution!;
        Assert.Contains(samples, dilution.IsNoisy);

        var features = samples.SelectMany(s => data.FeaturesOf(dilution.ImageOf(s)).ToArray()).ToArray();
        var labels = samples.Select(s => dilution.LabelOf(s, data.Labels)).ToArray();
        var written = new Dataset("written-out", data.SampleShape, data.Classes, features, labels);

        using var runner = new ModelRunner(new MultiLayerPerceptron([16]), data.SampleShape, data.Classes);
        var parameters = runner.InitialParameters(9);
        var expected = new float[runner.ParameterCount];
        float expectedLoss = runner.ComputeGradient(parameters, written, [.. Enumerable.Range(0, samples.Length)], null, expected);

        var actual = new float[runner.ParameterCount];
        var loss = new float[1];
        runner.ComputeGradients(parameters, data, [new ClientBatch(samples, null, null) { Dilution = dilution }], actual, loss);
        Assert.Equal(expected, actual);
        Assert.Equal(expectedLoss, loss[0]);
    }
}
