using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// The coordinate-wise rules with their sorting networks compiled to straight-line code against
/// the same rules interpreting the network, bit for bit: every width up to the widest compiled
/// and past it, columns that fill whole blocks and a partial tail, and the values that make
/// min/max order matter (NaN, infinities, signed zeros, repeats, values near float's limit).
/// </summary>
public class CompiledNetworkTests
{
    public static TheoryData<int, int> Sizes => new()
    {
        { 1, 300 },
        { 2, 512 },
        { 3, 1000 },
        { 7, 4099 },
        { 12, 8192 },
        { 12, 8231 },
        { 25, 1537 },
        { 33, 600 },
        { 64, 300 },
        { 100, 700 },
        { CompiledNetwork<Simd512>.MaxWires, 300 },
        { CompiledNetwork<Simd512>.MaxWires + 1, 300 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void CoordinateWiseRules_CompiledNetwork_SameBitsAsInterpreted(int n, int d)
    {
        var data = Values(n, d);
        int f = (n - 1) / 2;
        var rows = Rows.AllRows(n);
        var subset = rows.Where(r => r % 3 != 1).ToArray();
        foreach (var (name, rule) in new (string, Action<int[], float[]>)[]
        {
            ("median", (r, o) => CoordinateWise.Median(Matrices.View(data, n), r, o)),
            ("trimmed mean", (r, o) => CoordinateWise.TrimmedMean(Matrices.View(data, n), r, Math.Min(f, (r.Length - 1) / 2), o)),
            ("mean around the median", (r, o) => CoordinateWise.MeanAroundMedian(Matrices.View(data, n), r, r.Length - Math.Min(f, (r.Length - 1) / 2), o)),
        })
        {
            foreach (var list in subset.Length > 0 ? new[] { rows, subset } : [rows])
            {
                var compiled = new float[d];
                var interpreted = new float[d];
                rule(list, compiled);
                CompiledNetwork.InterpretOnThisThread = true;
                try
                {
                    rule(list, interpreted);
                }
                finally
                {
                    CompiledNetwork.InterpretOnThisThread = false;
                }

                int differs = Enumerable.Range(0, d).FirstOrDefault(k => BitConverter.SingleToInt32Bits(compiled[k]) != BitConverter.SingleToInt32Bits(interpreted[k]), -1);
                Assert.True(differs < 0, $"{name} of {list.Length} rows: column {differs} is {compiled[Math.Max(differs, 0)]:R} compiled, {interpreted[Math.Max(differs, 0)]:R} interpreted");
            }
        }
    }

    [Fact]
    public void Plan_SameNetworkAndRanks_BuiltOnceAndWideOnesInBlocks()
    {
        var first = CompiledNetwork<Simd256>.For(12, 2, 9);
        Assert.NotNull(first);
        Assert.Single(first.Kernels);
        Assert.Empty(first.Rest);
        Assert.Same(first, CompiledNetwork<Simd256>.For(12, 2, 9));
        Assert.NotSame(first, CompiledNetwork<Simd256>.For(12, 5, 6));
        var wide = CompiledNetwork<Simd256>.For(100, 20, 79);
        Assert.NotNull(wide);
        Assert.Equal(7, wide.Kernels.Length);
        Assert.NotEqual(wide.Rest[0].Low / CompiledNetwork<Simd256>.BlockWires, wide.Rest[0].High / CompiledNetwork<Simd256>.BlockWires);
    }

    /// <summary>Gaussian values with, per row, a share of NaN, +-Infinity, +-0, repeats of another row and values near float's limit.</summary>
    private static float[] Values(int n, int d)
    {
        var data = Matrices.Gaussian(n, d, (ulong)((n * 7919) + d));
        var random = new DeterministicRandom((ulong)n);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = random.Next(12) switch
            {
                0 => float.NaN,
                1 => float.PositiveInfinity,
                2 => float.NegativeInfinity,
                3 => 0f,
                4 => -0f,
                5 => random.Next(2) == 0 ? float.MaxValue : -float.MaxValue,
                6 when i >= d => data[i - d],
                _ => data[i],
            };
        }

        return data;
    }
}
