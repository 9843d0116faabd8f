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

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Quantisers_AreTheDefinitionDrawnCoordinateByCoordinate(int levels)
    {
        // QSGD (Alistarh et al. 2017): |x_i| / (||x|| / s) rounded up with probability its
        // fractional part; TernGrad (Wen et al. 2017): sign(x_i) max|x| with probability
        // |x_i| / max|x|. One uniform draw per coordinate in order, written here one at a time;
        // a compressor that drew them in another order, or skipped one, would fail.
        const int d = 2_500;
        var random = new DeterministicRandom(11);
        var x = Enumerable.Range(0, d).Select(i => i % 7 == 3 ? 0f : i % 7 == 5 ? -0f : (float)random.NextGaussian()).ToArray();
        double norm = VectorMath.Norm(x), unit = norm / levels;
        float scale = x.Max(Math.Abs);
        var draws = new DeterministicRandom(3);
        var qsgd = x.Select(v =>
        {
            double scaled = Math.Abs(v) / unit, level = Math.Floor(scaled);
            return (float)(Math.Sign(v) * (draws.NextDouble() < scaled - level ? level + 1 : level) * unit);
        }).ToArray();
        draws = new DeterministicRandom(3);
        var ternGrad = x.Select(v => draws.NextDouble() < Math.Abs(v) / scale ? MathF.Sign(v) * scale : 0f).ToArray();

        var decoded = new float[d];
        new QsgdCompressor(levels, false).Compress(x, decoded, new DeterministicRandom(3));
        Assert.Equal(qsgd.Select(BitConverter.SingleToInt32Bits), decoded.Select(BitConverter.SingleToInt32Bits));
        new TernGradCompressor(false).Compress(x, decoded, new DeterministicRandom(3));
        Assert.Equal(ternGrad.Select(BitConverter.SingleToInt32Bits), decoded.Select(BitConverter.SingleToInt32Bits));
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
