using ByzantineSim.Clients.Compression;

namespace ByzantineSim.Clients.Tests;

/// <summary>Deep Gradient Compression against values derived by hand from the paper's definitions (docs/ALGORITHMS.md).</summary>
public class DgcCompressionTests
{
    private static readonly float[] First = [0.5f, -1.25f, 2f, 0f, -0.1f, 3.5f, -2.2f, 0.05f];

    private static readonly float[] Ones = [.. Enumerable.Repeat(1f, 8)];

    [Fact]
    public void Warmup_IsThePapersExponentialRamp_ThenTheFinalShare()
    {
        // Lin et al. 2018, warm-up training: 75%, 93.75%, 98.4375%, 99.6%, then 99.9% sparsity.
        var dgc = new DgcCompressor(0.001, 4, true, 0);
        Assert.Equal([0.25, 0.0625, 0.015625, 0.00390625, 0.001, 0.001], Enumerable.Range(0, 6).Select(dgc.KeptFraction));
        Assert.Equal([250, 63, 16, 4, 1, 1], Enumerable.Range(0, 6).Select(e => dgc.KeptCount(1000, e)));
        Assert.Equal(0.001, new DgcCompressor(0.001, 0, true, 0).KeptFraction(0));

        // A final share above a warm-up stage's ends that stage early.
        Assert.Equal([0.25, 0.0625, 0.05, 0.05], Enumerable.Range(0, 4).Select(new DgcCompressor(0.05, 4, true, 0).KeptFraction));
    }

    [Fact]
    public void TwoSteps_MomentumCorrectionAndMasking_MatchTheHandDerivedValues()
    {
        // k = 2 of 8, m = 0.9, u = m u + g, v = v + u; sent coordinates leave v, and u with masking.
        var client = new Client(momentumMasking: true);
        Assert.Equal(2 * (32 + 3), client.Step(First));
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 3.5f, -2.2f, 0f], client.Sent);
        Assert.Equal([0.5f, -1.25f, 2f, 0f, -0.1f, 0f, 0f, 0.05f], client.V);
        Assert.Equal([0.5f, -1.25f, 2f, 0f, -0.1f, 0f, 0f, 0.05f], client.U);

        // g = 1: u = [1.45, -0.125, 2.8, 1, 0.91, 1, 1, 1.045], v = [1.95, -1.375, 4.8, 1, 0.81, 1, 1, 1.095].
        client.Step(Ones);
        AssertClose([1.95f, 0f, 4.8f, 0f, 0f, 0f, 0f, 0f], client.Sent);
        AssertClose([0f, -1.375f, 0f, 1f, 0.81f, 1f, 1f, 1.095f], client.V);
        AssertClose([0f, -0.125f, 0f, 1f, 0.91f, 1f, 1f, 1.045f], client.U);
    }

    [Fact]
    public void WithoutMasking_TheMomentumKeepsTheSentCoordinates()
    {
        var client = new Client(momentumMasking: false);
        client.Step(First);
        Assert.Equal(First, client.U);
        client.Step(Ones);

        // u = 0.9 g1 + 1; v = [1.95, -1.375, 4.8, 1, 0.81, 4.15, -0.98, 1.095]: 4.8 and 4.15 are sent.
        AssertClose([1.45f, -0.125f, 2.8f, 1f, 0.91f, 4.15f, -0.98f, 1.045f], client.U);
        AssertClose([0f, 0f, 4.8f, 0f, 0f, 4.15f, 0f, 0f], client.Sent);
    }

    [Fact]
    public void LocalClipping_ScalesTheGradientBeforeTheMomentum()
    {
        var dgc = new DgcCompressor(0.5, 0, true, clipNorm: 1);
        var u = new float[2];
        var v = new float[2];
        var sent = new float[2];
        dgc.Step([3f, 4f], u, v, sent, 0, MomentumForm.Average, epoch: 0);
        AssertClose([0f, 0.8f], sent);
        AssertClose([0.6f, 0f], v);
    }

    [Fact]
    public void Warmup_KeepsMoreCoordinatesInTheFirstEpoch()
    {
        var dgc = new DgcCompressor(0.001, 4, true, 0);
        var gradient = Enumerable.Range(1, 1000).Select(i => (float)i).ToArray();
        var sent = new float[1000];
        Assert.Equal(250 * (32 + 10), dgc.Step(gradient.ToArray(), new float[1000], new float[1000], sent, 0.9, MomentumForm.Sum, epoch: 0));
        Assert.Equal(250, sent.Count(x => x != 0));
        Assert.Equal(1 * (32 + 10), dgc.Step(gradient.ToArray(), new float[1000], new float[1000], sent, 0.9, MomentumForm.Sum, epoch: 4));
        Assert.Equal([1000f], sent.Where(x => x != 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Selection_IsTheSortedDefinitionsSet_WithTiesZerosAndNaN(int seed)
    {
        // Differential: top-k and DGC (both a radix select) keep exactly what a full sort by
        // (magnitude descending, NaN largest, index ascending) keeps, written here on its own.
        // Inputs mix ties, zeros of both signs, NaN, infinities, subnormals and values that
        // share their leading bits, so that every digit of the selection's threshold matters.
        var random = new DeterministicRandom((ulong)seed);
        for (int trial = 0; trial < 200; trial++)
        {
            int d = 1 + (int)(random.NextDouble() * (trial % 10 == 0 ? 30_000 : 300));
            var x = new float[d];
            for (int i = 0; i < d; i++)
            {
                double r = random.NextDouble();
                x[i] = r switch
                {
                    < 0.3 => 0f,
                    < 0.35 => -0f,
                    < 0.5 => (float)Math.Round(random.NextDouble() * 4 - 2),
                    < 0.52 => float.NaN,
                    < 0.53 => random.NextDouble() < 0.5 ? float.PositiveInfinity : float.NegativeInfinity,
                    < 0.56 => (float)((random.NextDouble() - 0.5) * 1e-39),
                    < 0.7 => BitConverter.Int32BitsToSingle(0x3F800000 + (int)(random.NextDouble() * 2048)) * (random.NextDouble() < 0.5 ? -1 : 1),
                    _ => (float)(random.NextDouble() - 0.5),
                };
            }

            double fraction = Math.Max(1e-3, random.NextDouble());
            int k = Math.Clamp((int)Math.Ceiling(fraction * d), 1, d);
            var expected = new float[d];
            foreach (int i in Enumerable.Range(0, d).OrderByDescending(i => float.IsNaN(x[i]) ? float.PositiveInfinity : Math.Abs(x[i])).ThenBy(i => i).Take(k))
            {
                expected[i] = x[i];
            }

            long expectedBits = k * (32L + (long)Math.Ceiling(Math.Log2(Math.Max(2, d))));
            var topk = new float[d];
            var dgc = new float[d];
            Assert.Equal(expectedBits, new TopKCompressor(fraction, false).Compress(x, topk, random));
            Assert.Equal(expectedBits, new DgcCompressor(fraction, 0, true, 0).Compress(x, dgc, random));
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), topk.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), dgc.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void TopKAndDgc_AllocateNoModelSizedArrayPerCall()
    {
        // Every client compresses every round: the magnitudes the selection reorders and the
        // kept indices (a quarter of d in DGC's first warm-up epoch) are rented.
        const int d = 100_000;
        var random = new DeterministicRandom(9);
        var x = new float[d];
        for (int i = 0; i < d; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }

        var decoded = new float[d];
        var (g, u, v) = (new float[d], new float[d], new float[d]);
        var topk = new TopKCompressor(0.25, false);
        var dgc = new DgcCompressor(0.001, 4, true, 0);
        long most = 0;
        for (int call = 0; call < 4; call++)
        {
            x.CopyTo(g, 0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            topk.Compress(x, decoded, random);
            dgc.Step(g, u, v, decoded, 0.9, MomentumForm.Sum, epoch: 0);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            most = call > 0 ? Math.Max(most, allocated) : most;
        }

        Assert.InRange(most, 0, d);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"coordinate {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    /// <summary>
    /// One client's DGC state over the 8 coordinates of <see cref="First"/>: momentum u,
    /// accumulation v and the last vector sent, stepped at k = 2 (fraction 0.25), no warm-up or
    /// clipping, m = 0.9 in the sum form. <see cref="Step"/> passes a copy of the gradient.
    /// </summary>
    private sealed class Client(bool momentumMasking)
    {
        private readonly DgcCompressor _dgc = new(0.25, 0, momentumMasking, 0);

        public float[] U { get; } = new float[8];

        public float[] V { get; } = new float[8];

        public float[] Sent { get; } = new float[8];

        public long Step(float[] gradient) => _dgc.Step(gradient.ToArray(), U, V, Sent, 0.9, MomentumForm.Sum, epoch: 0);
    }
}
