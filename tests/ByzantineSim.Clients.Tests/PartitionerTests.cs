using static ByzantineSim.Clients.Tests.Partitions;

namespace ByzantineSim.Clients.Tests;

public class PartitionerTests
{
    [Fact]
    public void Iid_EverySampleOnce_SizesDifferByAtMostOne()
    {
        var partition = new IidPartitioner().Split(Labels(1003, 10), 10, 7, 42);
        AssertEverySampleOnce(partition, 1003);
        var sizes = partition.Clients.Select(c => c.Length).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 1);
    }

    [Fact]
    public void Iid_SameSeed_SamePartition()
    {
        var labels = Labels(500, 5);
        Assert.Equal(
            new IidPartitioner().Split(labels, 5, 4, 1).Clients.SelectMany(c => c),
            new IidPartitioner().Split(labels, 5, 4, 1).Clients.SelectMany(c => c));
    }

    [Fact]
    public void Dirichlet_EverySampleOnce_AndMinimumSize()
    {
        var partition = new DirichletPartitioner(0.3, 20).Split(Labels(5000, 10), 10, 20, 7);
        AssertEverySampleOnce(partition, 5000);
        Assert.All(partition.Clients, c => Assert.True(c.Length >= 20));
    }

    [Fact]
    public void Dirichlet_SmallAlpha_SkewsClasses_LargeAlphaIsNearIid()
    {
        var labels = Labels(20_000, 10);
        double Skew(double alpha)
        {
            var histograms = new DirichletPartitioner(alpha, 10).Split(labels, 10, 10, 3).ClassHistograms(labels, 10);

            // Mean over clients of the largest class share: 0.1 for perfectly balanced clients.
            return histograms.Average(h => (double)h.Max() / h.Sum());
        }

        Assert.True(Skew(0.1) > 0.5, $"alpha 0.1 gave skew {Skew(0.1)}");
        Assert.True(Skew(1000) < 0.13, $"alpha 1000 gave skew {Skew(1000)}");
    }

    [Fact]
    public void Dirichlet_TooManyClients_ExplainsWhy()
    {
        var error = Assert.Throws<ArgumentException>(() => new DirichletPartitioner(1, 10).Split(Labels(50, 2), 2, 10, 1));
        Assert.Contains("need 100 samples; the data set has 50", error.Message, StringComparison.Ordinal);
    }
}

public class SkewedPartitionerTests
{
    [Fact]
    public void Shards_TwoPerClient_EachClientSeesAtMostTwoOrThreeClasses()
    {
        var histograms = HistogramsOfSplit(new ShardPartitioner(2), count: 6000, classes: 10, clients: 20, seed: 4);

        // 40 shards of 150 over 10 classes of 600: a shard lies in one class, so a client has <= 2 classes.
        Assert.All(histograms, h => Assert.InRange(h.Count(c => c > 0), 1, 2));
    }

    [Fact]
    public void GammaSimilarity_OneIsIid_ZeroIsExtreme()
    {
        var labels = Labels(10_000, 10);
        double ClassesPerClient(double gamma) =>
            new GammaSimilarityPartitioner(gamma).Split(labels, 10, 10, 2).ClassHistograms(labels, 10).Average(h => h.Count(c => c > 0));
        Assert.Equal(10, ClassesPerClient(1.0));
        Assert.Equal(1, ClassesPerClient(0.0));
        var half = new GammaSimilarityPartitioner(0.5).Split(labels, 10, 10, 2);
        AssertEverySampleOnce(half, 10_000);
    }

    [Fact]
    public void ClassGroups_TwoGroups_EachHalfOfTheClientsHoldsExactlyItsHalfOfTheClasses()
    {
        var histograms = HistogramsOfSplit(new ClassGroupsPartitioner(2), count: 1000, classes: 10, clients: 10, seed: 3);
        // Clients 0-4 hold classes 0-4 only, clients 5-9 classes 5-9 only, 100 samples each (500 / 5).
        for (int client = 0; client < 10; client++)
        {
            int[] own = client < 5 ? [0, 1, 2, 3, 4] : [5, 6, 7, 8, 9];
            Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(own.Contains(c), histograms[client][c] > 0));
            Assert.Equal(100, histograms[client].Sum());
        }
    }

    [Fact]
    public void ClassGroups_MoreGroupsThanClasses_ExplainsWhy()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClassGroupsPartitioner(3).Split(Labels(100, 2), 2, 6, 1));
        Assert.Equal("class-groups: 3 groups need at least 3 clients and 3 classes; got 6 clients, 2 classes", error.Message);
    }

    [Fact]
    public void QuantitySkew_SizesVary_RespectMinimum_EverySampleOnce()
    {
        var partition = new QuantitySkewPartitioner(0.5, 20).Split(Labels(5000, 10), 10, 25, 8);
        AssertEverySampleOnce(partition, 5000);
        var sizes = partition.Clients.Select(c => c.Length).ToList();
        Assert.All(sizes, s => Assert.True(s >= 20));
        Assert.True(sizes.Max() > 3 * sizes.Min(), $"sizes {string.Join(",", sizes)}");
    }

    [Fact]
    public void LabelNoise_ReplacesTheFractionOfTheFirstClientsWithOtherClasses()
    {
        var labels = Labels(2000, 10);
        var partition = new LabelNoise(new IidPartitioner(), 3, 0.4).Split(labels, 10, 10, 5);
        for (int client = 0; client < 10; client++)
        {
            var noisy = partition.NoisyLabelsOf(client);
            if (client < 3)
            {
                Assert.Equal((int)Math.Round(0.4 * partition.Clients[client].Length), noisy.Count);
                Assert.All(noisy, pair => Assert.NotEqual(labels[pair.Key], pair.Value));
                Assert.All(noisy.Keys, sample => Assert.Contains(sample, partition.Clients[client]));
            }
            else
            {
                Assert.Empty(noisy);
            }
        }

        // The histograms report the labels clients actually train on.
        var clean = new IidPartitioner().Split(labels, 10, 10, 5).ClassHistograms(labels, 10);
        Assert.NotEqual(clean[0].ToArray(), partition.ClassHistograms(labels, 10)[0].ToArray());
        Assert.Equal(clean[5].ToArray(), partition.ClassHistograms(labels, 10)[5].ToArray());
    }
}

public class SampledPartitionerTests
{
    [Fact]
    public void EveryClientGetsItsCountOfDistinctSortedSamples_EvenWithMoreClientsThanSamples()
    {
        var partition = new SampledPartitioner(5, 0).Split(Labels(50, 10), 10, 1000, 3);
        Assert.Equal(1000, partition.Clients.Length);
        Assert.All(partition.Clients, samples =>
        {
            Assert.Equal(5, samples.Distinct().Count());
            Assert.Equal(samples.Order(), samples);
            Assert.All(samples, i => Assert.InRange(i, 0, 49));
        });
    }

    [Fact]
    public void AClientsSamplesDependOnlyOnTheSeedAndItsId()
    {
        var labels = Labels(400, 4);
        var few = new SampledPartitioner(7, 0.5).Split(labels, 4, 3, 11);
        var many = new SampledPartitioner(7, 0.5).Split(labels, 4, 300, 11);
        Assert.Equal(few.Clients.SelectMany(c => c), many.Clients.Take(3).SelectMany(c => c));
        Assert.NotEqual(few.Clients[0].ToArray(), new SampledPartitioner(7, 0.5).Split(labels, 4, 3, 12).Clients[0].ToArray());
    }

    [Fact]
    public void Uniform_EverySampleIsDrawnAboutEquallyOften()
    {
        // 20,000 clients x 5 of 100 samples: each sample is expected 1000 times (sd ~ 31).
        var counts = new int[100];
        foreach (int i in new SampledPartitioner(5, 0).Split(Labels(100, 10), 10, 20_000, 5).Clients.SelectMany(c => c))
        {
            counts[i]++;
        }

        Assert.InRange(counts.Min(), 850, 1000);
        Assert.InRange(counts.Max(), 1000, 1150);
    }

    [Fact]
    public void SmallAlphaSkewsEachClientsClasses_LargeAlphaIsNearIid()
    {
        var labels = Labels(10_000, 10);
        double Skew(double alpha) =>
            new SampledPartitioner(50, alpha).Split(labels, 10, 400, 9).ClassHistograms(labels, 10).Average(h => (double)h.Max() / h.Sum());

        // Largest class share: E[max of Dir(0.1 x 10)] is about 0.6; a multinomial of 50 over 10
        // equal classes has an expected maximum share near 0.2.
        Assert.InRange(Skew(0.1), 0.5, 1.0);
        Assert.InRange(Skew(1000), 0.1, 0.26);
        Assert.InRange(Skew(0), 0.1, 0.26);
    }

    [Fact]
    public void AClassTooSmallForItsShare_IsCompletedFromTheOthers()
    {
        // Two classes of 3 and 97 samples, 20 samples per client: a client whose mix favours
        // class 0 takes all 3 and the rest from class 1.
        int[] labels = [.. Enumerable.Repeat(0, 3), .. Enumerable.Repeat(1, 97)];
        var partition = new SampledPartitioner(20, 0.05).Split(labels, 2, 200, 4);
        Assert.All(partition.Clients, samples => Assert.Equal(20, samples.Distinct().Count()));
        Assert.Contains(partition.ClassHistograms(labels, 2), h => h[0] == 3);
    }

    [Fact]
    public void MoreSamplesPerClientThanTheDataSetHas_ExplainsWhy()
    {
        var error = Assert.Throws<ArgumentException>(() => new SampledPartitioner(60, 0).Split(Labels(50, 2), 2, 10, 1));
        Assert.Equal("samples_per_client 60 is more than the data set's 50 samples", error.Message);
    }
}
