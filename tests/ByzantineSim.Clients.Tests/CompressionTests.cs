using ByzantineSim.Clients.Compression;

namespace ByzantineSim.Clients.Tests;

public class CompressionTests
{
    private static readonly float[] Input = [0.5f, -1.25f, 2f, 0f, -0.1f, 3.5f, -2.2f, 0.05f];

    private static double[] MeanOverDraws(ICompressor compressor, int draws)
    {
        var sum = new double[Input.Length];
        var decoded = new float[Input.Length];
        var random = new DeterministicRandom(11);
        for (int k = 0; k < draws; k++)
        {
            compressor.Compress(Input, decoded, random);
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += decoded[i];
            }
        }

        return [.. sum.Select(s => s / draws)];
    }

    [Theory]
    [InlineData("qsgd")]
    [InlineData("terngrad")]
    public void Quantiser_IsUnbiased(string name)
    {
        ICompressor compressor = name == "qsgd" ? new QsgdCompressor(1, false) : new TernGradCompressor(false);
        var mean = MeanOverDraws(compressor, 200_000);
        for (int i = 0; i < Input.Length; i++)
        {
            // Per-coordinate variance is at most ||x||^2 (QSGD, s = 1) or max|x| |x_i| (TernGrad): 0.02 is > 4 standard errors.
            Assert.True(Math.Abs(mean[i] - Input[i]) < 0.02, $"{name} coordinate {i}: mean {mean[i]} vs {Input[i]}");
        }
    }

    [Fact]
    public void Qsgd_OneLevel_SendsZeroOrPlusMinusNorm()
    {
        var decoded = new float[Input.Length];
        long bits = new QsgdCompressor(1, false).Compress(Input, decoded, new DeterministicRandom(1));
        float norm = VectorMath.Norm(Input);
        Assert.All(decoded, v => Assert.True(v == 0 || Math.Abs(Math.Abs(v) - norm) < 1e-5));
        Assert.Equal(32 + (8 * 2), bits);
    }

    [Fact]
    public void TernGrad_BitsAreTwoPerCoordinatePlusScale()
    {
        var decoded = new float[Input.Length];
        Assert.Equal(32 + 16, new TernGradCompressor(false).Compress(Input, decoded, new DeterministicRandom(1)));
        Assert.All(decoded, v => Assert.Contains(v, new[] { 0f, 3.5f, -3.5f }));
    }

    [Fact]
    public void TopK_KeepsTheLargestMagnitudes()
    {
        var decoded = new float[Input.Length];
        long bits = new TopKCompressor(0.25, true).Compress(Input, decoded, new DeterministicRandom(1));
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 3.5f, -2.2f, 0f], decoded);
        Assert.Equal(2 * (32 + 3), bits);
    }

    [Fact]
    public void Privacy_ClipsThenAddsNoiseOfTheRequestedScale()
    {
        var update = Enumerable.Repeat(10f, 100_000).ToArray();
        new ClientPrivacy(Clip: 2, NoiseMultiplier: 0.5).Apply(update, new DeterministicRandom(3));
        double mean = update.Average(v => (double)v);
        double std = Math.Sqrt(update.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(2 / Math.Sqrt(100_000), mean, 2);
        Assert.Equal(1.0, std, 2);
    }
}
