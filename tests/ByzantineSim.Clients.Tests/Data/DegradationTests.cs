using System.Collections.Immutable;

namespace ByzantineSim.Clients.Tests.Data;

/// <summary>
/// Unreliable clients' degradations on known images, pixel by pixel: values derived by hand
/// (block means, Gaussian weights from their formula), and the random ones repeatable per sample.
/// </summary>
public class DegradationTests
{
    private static readonly ImmutableArray<int> Square = [1, 3, 3];

    [Fact]
    public void Downsample_Factor2_On3x3_BlockMeansWithSmallerEdgeBlocks()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        new Degradation(DegradationKind.Downsample, 2, 0).Apply(image, 0, Square, 0, 9);
        // Blocks {1,2,4,5} -> 3, {3,6} -> 4.5, {7,8} -> 7.5, {9} -> 9.
        Assert.Equal([3f, 3f, 4.5f, 3f, 3f, 4.5f, 7.5f, 7.5f, 9f], image);
    }

    [Fact]
    public void Downsample_TwoChannels_EachChannelOnItsOwn()
    {
        float[] image = [0, 2, 4, 6, 10, 10, 10, 30];
        new Degradation(DegradationKind.Downsample, 2, 0).Apply(image, 0, [2, 2, 2], 0, 30);
        Assert.Equal([3f, 3f, 3f, 3f, 15f, 15f, 15f, 15f], image);
    }

    [Fact]
    public void Blur_OfAPointInARow_IsTheNormalisedGaussianWeights()
    {
        // A 1 x 1 x 7 image with one lit pixel: the column pass on one row leaves it unchanged
        // (replicated edges, weights summing to 1), the row pass spreads it by exp(-k^2 / 2 sigma^2) / sum.
        const double Sigma = 1.0;
        float[] image = [0, 0, 0, 1, 0, 0, 0];
        new Degradation(DegradationKind.Blur, Sigma, 0).Apply(image, 0, [1, 1, 7], 0, 1);
        double total = Enumerable.Range(-3, 7).Sum(k => Math.Exp(-(k * k) / (2 * Sigma * Sigma)));
        var expected = Enumerable.Range(0, 7).Select(i => (float)(Math.Exp(-((i - 3) * (i - 3)) / (2 * Sigma * Sigma)) / total)).ToArray();
        Assert.Equal(expected, image);
    }

    [Fact]
    public void Blur_OfAConstantImage_ChangesNothing()
    {
        float[] image = [.. Enumerable.Repeat(0.25f, 9)];
        new Degradation(DegradationKind.Blur, 0.8, 0).Apply(image, 0, Square, 0, 1);
        Assert.All(image, v => Assert.Equal(0.25f, v, 6));
    }

    [Fact]
    public void Noise_SameSampleSameNoise_OtherSampleOther_AndClippedToTheRange()
    {
        var noise = new Degradation(DegradationKind.Noise, 0.3, 77);
        float[] first = [.. Enumerable.Repeat(0.5f, 9)], again = [.. first], other = [.. first];
        noise.Apply(first, 12, Square, 0, 1);
        noise.Apply(again, 12, Square, 0, 1);
        noise.Apply(other, 13, Square, 0, 1);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(first, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(first, v => v != 0.5f);
        var expected = new Core.Numerics.DeterministicRandom(Core.Numerics.Seed.Derive(77, "pixel-noise", 12));
        Assert.Equal(Math.Clamp(0.5f + (0.3f * (float)expected.NextGaussian()), 0f, 1f), first[0]);
    }

    [Fact]
    public void RandomLabels_ReplaceTheGivenShareOfSamples_Repeatably()
    {
        var labels = new Degradation(DegradationKind.Labels, 0.5, 5);
        ImmutableArray<int> samples = [.. Enumerable.Range(100, 40)];
        var replaced = labels.RandomLabels(samples, 10);
        Assert.Equal(20, replaced.Count);
        Assert.All(replaced, pair => Assert.Contains(pair.Key, samples));
        Assert.All(replaced.Values, label => Assert.InRange(label, 0, 9));
        Assert.Equal(replaced, labels.RandomLabels(samples, 10));
        Assert.False(labels.ChangesPixels);
        Assert.Empty(new Degradation(DegradationKind.Blur, 1, 5).RandomLabels(samples, 10));
    }

    [Fact]
    public void Problem_PixelKindsOnTabularData_SaysWhy()
    {
        Assert.Equal("blur needs image samples [channels, height, width]; the data's samples have shape [8]", Degradation.Problem(DegradationKind.Blur, [8]));
        Assert.Null(Degradation.Problem(DegradationKind.Noise, [8]));
        Assert.Null(Degradation.Problem(DegradationKind.Downsample, [1, 28, 28]));
    }
}
