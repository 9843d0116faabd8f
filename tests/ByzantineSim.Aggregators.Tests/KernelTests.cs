using System.Runtime.Intrinsics;
using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>The shared SIMD kernels against plain double-precision loops, at sizes that hit every tail and block edge.</summary>
public class KernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 17)]
    [InlineData(9, 3000)]
    [InlineData(23, 20_011)]
    public void Gram_RandomRows_MatchesDoubleDotProducts(int n, int d)
    {
        var data = Matrices.Gaussian(n, d, 1);
        var gram = new double[n * n];
        Gram.Compute(Matrices.View(data, n), gram);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = Enumerable.Range(0, d).Sum(k => (double)data[(i * d) + k] * data[(j * d) + k]);
                Assert.Equal(expected, gram[(i * n) + j], 1e-4 * (1 + d));
            }
        }
    }

    [Theory]
    [InlineData(6, 1000, 7)]
    [InlineData(30, 50_000, 49_997)] // split by chunks across the cores; the NaN in the last chunk
    public void SquaredDistances_NearDuplicatesAndNonFiniteRows_ExactAndInfinite(int n, int d, int nanColumn)
    {
        var data = Matrices.Gaussian(n, d, 2, shift: 100);
        Array.Copy(data, 0, data, d, d);
        data[d + 5] += 1e-3f;
        data[(4 * d) + nanColumn] = float.NaN;
        data.AsSpan(5 * d, d).Fill(1e38f);
        var distances = new double[n * n];
        var finite = new bool[n];
        Gram.SquaredDistances(Matrices.View(data, n), distances, finite);
        Assert.Equal(Enumerable.Range(0, n).Select(i => i is not 4 and not 5), finite);
        Assert.Equal(VectorMath.SquaredDistance(data.AsSpan(0, d), data.AsSpan(d, d)), distances[1], 1e-9);
        Assert.Equal(double.PositiveInfinity, distances[4]);
        Assert.Equal(double.PositiveInfinity, distances[(5 * n) + 2]);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(0, distances[(i * n) + i]));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(7, 3 * 16_384 + 37)]
    [InlineData(30, 50_000)]
    [InlineData(100, 20_011)]
    [InlineData(25, (5_120 * 7) + 13, 1e4f)]
    [InlineData(30, 50_000, 1e4f)]
    public void Gram_EveryEntry_IsTheChunkedLaneSumItDocuments(int n, int d, float firstChunkScale = 1)
    {
        // The order the kernel promises (and every committed Krum result depends on): d cut into
        // chunks of ChunkLength(n); per chunk, one vector of lanes accumulated by fused
        // multiply-adds in k order, summed across lanes, the tail added in float, the chunk's sum
        // added in double, in chunk order. Written here pair by pair, so any re-blocking of the
        // kernel must keep it. A large first chunk makes the double additions round, so that
        // adding the chunks in another order gives other bits.
        var data = Matrices.Gaussian(n, d, (ulong)(n + d));
        int chunk = Math.Clamp(131_072 / n / 256 * 256, 1024, 16_384);
        for (int i = 0; i < n; i++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(data.AsSpan(i * d, Math.Min(chunk, d)), firstChunkScale, data.AsSpan(i * d, Math.Min(chunk, d)));
        }

        var gram = new double[n * n];
        Gram.Compute(Matrices.View(data, n), gram);
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                double expected = 0;
                for (int start = 0; start < d; start += chunk)
                {
                    var a = data.AsSpan((i * d) + start, Math.Min(chunk, d - start));
                    var b = data.AsSpan((j * d) + start, a.Length);
                    expected += LaneSum(a, b);
                }

                Assert.Equal(expected, gram[(i * n) + j]);
                Assert.Equal(expected, gram[(j * n) + i]);
            }
        }
    }

    private static float LaneSum(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int k = 0;
        float sum;
        if (Vector512.IsHardwareAccelerated)
        {
            var lanes = Vector512<float>.Zero;
            for (; k <= a.Length - Vector512<float>.Count; k += Vector512<float>.Count)
            {
                lanes = Vector512.FusedMultiplyAdd(Vector512.Create(a[k..]), Vector512.Create(b[k..]), lanes);
            }

            sum = Vector512.Sum(lanes);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var lanes = Vector256<float>.Zero;
            for (; k <= a.Length - Vector256<float>.Count; k += Vector256<float>.Count)
            {
                lanes = Vector256.FusedMultiplyAdd(Vector256.Create(a[k..]), Vector256.Create(b[k..]), lanes);
            }

            sum = Vector256.Sum(lanes);
        }
        else
        {
            var lanes = Vector128<float>.Zero;
            for (; k <= a.Length - Vector128<float>.Count; k += Vector128<float>.Count)
            {
                lanes = Vector128.FusedMultiplyAdd(Vector128.Create(a[k..]), Vector128.Create(b[k..]), lanes);
            }

            sum = Vector128.Sum(lanes);
        }

        for (; k < a.Length; k++)
        {
            sum += a[k] * b[k];
        }

        return sum;
    }

    [Fact]
    public void Gram_SameCallTwice_BitwiseEqual()
    {
        var data = Matrices.Gaussian(30, 50_000, 3);
        var first = new double[900];
        var second = new double[900];
        Gram.Compute(Matrices.View(data, 30), first);
        Gram.Compute(Matrices.View(data, 30), second);
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(13)]
    [InlineData(100)]
    public void SortingNetwork_RandomValues_Sorts(int n)
    {
        var network = SortingNetwork.Build(n, 0, n - 1);
        var random = new DeterministicRandom((ulong)n);
        for (int trial = 0; trial < 50; trial++)
        {
            var values = Enumerable.Range(0, n).Select(_ => random.Next(10)).ToArray();
            foreach (var (low, high) in network)
            {
                if (values[low] > values[high])
                {
                    (values[low], values[high]) = (values[high], values[low]);
                }
            }

            Assert.Equal(values.Order(), values);
        }
    }

    [Theory]
    [InlineData(7, 1, 5)]
    [InlineData(10, 2, 257)]
    [InlineData(25, 5, 9000)]
    public void CoordinateWise_NaNAndInfinities_MatchSortedColumns(int n, int f, int d)
    {
        var data = Matrices.Gaussian(n, d, 4);
        var random = new DeterministicRandom(9);
        for (int b = 0; b < f; b++)
        {
            for (int k = 0; k < d; k++)
            {
                data[(((n - 1) - b) * d) + k] = random.Next(3) switch { 0 => float.NaN, 1 => float.NegativeInfinity, _ => 1e38f };
            }
        }

        var rows = Rows.AllRows(n);
        var median = new float[d];
        var trimmed = new float[d];
        var around = new float[d];
        var view = Matrices.View(data, n);
        CoordinateWise.Median(view, rows, median);
        CoordinateWise.TrimmedMean(view, rows, f, trimmed);
        CoordinateWise.MeanAroundMedian(view, rows, n - f, around);
        for (int k = 0; k < d; k++)
        {
            var column = Enumerable.Range(0, n).Select(i => data[(i * d) + k]).Select(v => float.IsNaN(v) ? float.PositiveInfinity : v).Order().ToArray();
            float expectedMedian = n % 2 == 1 ? column[n / 2] : (0.5f * column[(n / 2) - 1]) + (0.5f * column[n / 2]);
            Assert.Equal(expectedMedian, median[k]);
            Assert.Equal(column[f..(n - f)].Average(v => (double)v), trimmed[k], 1e-5);
            Assert.Equal(NearestToMedianMean(column, expectedMedian, n - f), around[k], 1e-5);
        }
    }

    [Theory]
    [InlineData(5, 2, 11)]
    [InlineData(9, 3, 40)]
    [InlineData(12, 4, 300)]
    [InlineData(25, 8, 1000)]
    public void MeanAroundMedian_RepeatedValues_IsMeanOfTheNearestToTheMedian(int n, int f, int d)
    {
        // Few distinct values, so that columns repeat values and tie on distances (coordinated
        // Byzantine rows: identical, as under sign-flip, ALIE, IPM).
        var random = new DeterministicRandom((ulong)(n * 1000 + d));
        var data = new float[n * d];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = random.Next(5) - 2;
        }

        for (int b = 0; b < f; b++)
        {
            Array.Copy(data, 0, data, (n - 1 - b) * d, d);
        }

        var around = new float[d];
        CoordinateWise.MeanAroundMedian(Matrices.View(data, n), Rows.AllRows(n), n - f, around);
        for (int k = 0; k < d; k++)
        {
            var column = Enumerable.Range(0, n).Select(i => data[(i * d) + k]).Order().ToArray();
            float median = n % 2 == 1 ? column[n / 2] : (0.5f * column[(n / 2) - 1]) + (0.5f * column[n / 2]);
            Assert.Equal(NearestToMedianMean(column, median, n - f), around[k], 1e-5);
        }
    }

    [Fact]
    public void MeanAroundMedian_HandWorkedColumn_KeepsTheStrictlyCloserValue()
    {
        // Rows (0, 1), (4, 7), (2, 4), (0, 4), (3, 10), f = 2. Column 0 holds 0, 4, 2, 0, 3: median 2, distances 2, 2, 0, 2, 1. The three nearest are
        // 2, 3 and one value at distance 2 (0, 0 or 4; the lower, 0, by the documented tie-break):
        // (2 + 3 + 0) / 3 = 5/3. Every window of three sorted values has the largest deviation 2,
        // so the lowest window, 0 0 2 (2/3), drops the 3 although it is closer than a kept 0.
        // Column 2: 1, 7, 4, 4, 10: median 4, distances 3, 3, 0, 0, 6: 4, 4 and the lower of 1
        // and 7 at equal distance: 3.
        float[] data = [0, 1, 4, 7, 2, 4, 0, 4, 3, 10];
        var around = new float[2];
        CoordinateWise.MeanAroundMedian(Matrices.View(data, 5), Rows.AllRows(5), 3, around);
        Assert.Equal(5f / 3f, around[0], 1e-6f);
        Assert.Equal(3f, around[1], 1e-6f);
    }

    /// <summary>
    /// The definition, written independently of the kernel: order the values by distance to the
    /// median (equal distances: lower value first) and average the first <paramref name="keep"/>.
    /// </summary>
    private static double NearestToMedianMean(float[] column, float median, int keep) =>
        column.OrderBy(v => Math.Abs((double)v - median)).ThenBy(v => v).Take(keep).Average(v => (double)v);

    [Fact]
    public void WeightedSum_LargeMatrix_MatchesRowByRowSum()
    {
        const int n = 12, d = 40_003;
        var data = Matrices.Gaussian(n, d, 5);
        int[] rows = [0, 3, 4, 11];
        float[] weights = [0.5f, -1f, 2f, 0.25f];
        var output = new float[d];
        Rows.WeightedSum(Matrices.View(data, n), rows, weights, 2f, output);
        for (int k = 0; k < d; k += 997)
        {
            double expected = 2 * rows.Select((r, i) => weights[i] * (double)data[(r * d) + k]).Sum();
            Assert.Equal(expected, output[k], 1e-4);
        }
    }
    [Theory]
    [InlineData(25, 100_003, true)]
    [InlineData(25, 100_003, false)]
    [InlineData(3, 77, true)]
    [InlineData(1, 1_000, false)]
    public void WeightedSum_EveryColumn_IsTheFloatSumInRowListOrder(int n, int d, bool weighted)
    {
        // The bits every rule built on the weighted sum depends on (mean, centered clipping, CGE,
        // bucketing...): per column, t = w_0 x_0, then t = w_k x_k + t in list order, each
        // product and sum rounded to float, then t * scale; without weights t = x_0, t = x_k + t.
        var data = Matrices.Gaussian(n, d, 17, scale: 3);
        int[] rows = [.. Enumerable.Range(0, n).Reverse()];
        float[] weights = weighted ? [.. Enumerable.Range(0, n).Select(i => 0.37f + (0.11f * i))] : [];
        const float scale = 0.3f;
        var output = new float[d];
        Rows.WeightedSum(Matrices.View(data, n), rows, weights, scale, output);
        for (int k = 0; k < d; k++)
        {
            float t = weighted ? data[(rows[0] * d) + k] * weights[0] : data[(rows[0] * d) + k];
            for (int i = 1; i < n; i++)
            {
                float x = data[(rows[i] * d) + k];
                t = weighted ? (x * weights[i]) + t : x + t;
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(t * scale), BitConverter.SingleToInt32Bits(output[k]));
        }
    }
}
