using System.Numerics.Tensors;
using ByzantineSim.Testing;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// <see cref="Rows.WeightedSumAndDistances"/> (a weighted sum and every row's distance to it in
/// one pass) has the bits of the three calls it fuses: below its threshold (two passes) and
/// above it (the pipeline, 2^24 values and more), with tails past the last whole vector and
/// strip, rows left out of the sum or listed twice, and calls that run at the same time;
/// centered clipping, which runs its iterations on it, keeps the bits of the two-pass iteration;
/// the four-rows-at-a-time distances it shares (to a point, from a pivot row) keep the one-row bits.
/// </summary>
public class FusedPassTests
{
    /// <summary>Gaussian rows of growing scale, with a NaN row, an infinite row and a row near float's limit.</summary>
    private static float[] Inputs(int n, int d, ulong seed)
    {
        var data = Matrices.Gaussian(n, d, seed, scale: 2);
        for (int i = 0; i < n; i++)
        {
            TensorPrimitives.Multiply(data.AsSpan(i * d, d), 1 + (i % 5), data.AsSpan(i * d, d));
        }

        if (n > 3)
        {
            data[(1 * d) + (d / 2)] = float.NaN;
            data[(2 * d) + d - 1] = float.NegativeInfinity;
            TensorPrimitives.Multiply(data.AsSpan(3 * d, d), 1e37f, data.AsSpan(3 * d, d));
        }

        return data;
    }

    [Theory]
    [InlineData(1, 1_000, true, true)]
    [InlineData(3, 77, true, false)]
    [InlineData(7, 3_001, false, true)]
    [InlineData(25, 100_003, true, true)]
    [InlineData(100, 20_011, false, false)]
    [InlineData(9, 1_900_003, true, true)]
    [InlineData(6, 2_800_037, false, false)]
    public void WeightedSumAndDistances_AnyShape_HasTheBitsOfTheCallsItFuses(int n, int d, bool weighted, bool shifted)
    {
        var data = Inputs(n, d, (ulong)(n + d));
        // Rows 1 to 3 (NaN, -Inf, near float's limit) stay out of the sum; the last row is listed twice.
        int[] rows = n <= 3 ? [.. Enumerable.Range(0, n).Reverse()] : [n - 1, .. Enumerable.Range(4, n - 4).Reverse(), 0];
        float[] weights = weighted ? [.. rows.Select(i => 0.01f + (0.003f * i))] : [];
        float[] addend = shifted ? Matrices.Gaussian(1, d, 99) : [];
        Check(data, n, d, rows, weights, addend);
    }

    [Fact]
    public async Task WeightedSumAndDistances_CallsAtTheSameTime_EachHasTheBits()
    {
        // Calls released together: one has the helper threads, the others run their pass as one
        // stage. Sharing the helpers would mix the calls' stages up.
        const int n = 5, d = 3_400_001, calls = 3;
        var data = Inputs(n, d, 11);
        int[] rows = [0, 4, 3];
        float[][] weights = [.. Enumerable.Range(0, calls).Select(call => new[] { 0.2f, 0.3f + call, 0.5f })];
        var expected = weights.Select(w => Expected(data, n, d, rows, w, [])).ToArray();
        var outputs = Enumerable.Range(0, calls).Select(_ => (new float[d], new double[n])).ToArray();
        using var start = new Barrier(calls);
        var running = Enumerable.Range(0, calls).Select(call => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                Rows.WeightedSumAndDistances(new RowMatrix(data, n, d), rows, weights[call], 0.7f, [], 0.45f, outputs[call].Item1, outputs[call].Item2);
            },
            TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(2));
        for (int call = 0; call < calls; call++)
        {
            Assert.Equal(Bits(expected[call].Sum), Bits(outputs[call].Item1));
            Assert.Equal(expected[call].Distances, outputs[call].Item2);
        }
    }

    /// <summary>The three calls the fused pass stands for, one after another.</summary>
    private static (float[] Sum, double[] Distances) Expected(float[] data, int n, int d, int[] rows, float[] weights, float[] addend)
    {
        var sum = new float[d];
        Rows.WeightedSum(new RowMatrix(data, n, d), rows, weights, 0.7f, sum);
        if (addend.Length > 0)
        {
            TensorPrimitives.MultiplyAdd(addend, 0.45f, sum, sum);
        }

        return (sum, [.. Enumerable.Range(0, n).Select(i => (double)VectorMath.SquaredDistance(data.AsSpan(i * d, d), sum))]);
    }

    private static void Check(float[] data, int n, int d, int[] rows, float[] weights, float[] addend)
    {
        var (expected, expectedDistances) = Expected(data, n, d, rows, weights, addend);
        var output = new float[d];
        var distances = new double[n];
        Rows.WeightedSumAndDistances(new RowMatrix(data, n, d), rows, weights, 0.7f, addend, 0.45f, output, distances);

        Assert.Equal(Bits(expected), Bits(output));
        Assert.Equal(expectedDistances, distances);
        if (n > 3)
        {
            Assert.Equal(double.PositiveInfinity, distances[1]);
            Assert.Equal(double.PositiveInfinity, distances[2]);
        }
    }

    [Theory]
    [InlineData(1, 63, false)]
    [InlineData(4, 8_191, true)]
    [InlineData(25, 100_003, true)]
    [InlineData(30, 40_001, false)]
    public void WeightedSum_WithAnAddend_HasTheBitsOfTheSumThenMultiplyAdd(int n, int d, bool weighted)
    {
        // Shapes on one thread and over both cores (2^18 values and more), blocks of 8,192
        // columns with a tail past the last strip and the last whole vector.
        var data = Inputs(n, d, (ulong)(3 * d));
        int[] rows = [.. Enumerable.Range(0, n).Where(i => n <= 3 || i is not (1 or 2 or 3)).Reverse()];
        float[] weights = weighted ? [.. rows.Select(i => 0.02f + (0.001f * i))] : [];
        var addend = Matrices.Gaussian(1, d, 7, scale: 3);
        var expected = Expected(data, n, d, rows, weights, addend).Sum;
        var output = new float[d];
        Rows.WeightedSum(new RowMatrix(data, n, d), rows, weights, 0.7f, addend, 0.45f, output);
        Assert.Equal(Bits(expected), Bits(output));
    }

    [Fact]
    public void WeightedSum_AddendOverlappingTheDestination_Refused()
    {
        var data = Matrices.Gaussian(3, 20_000, 1);
        var output = new float[20_000];
        var error = Assert.Throws<ArgumentException>(() => Rows.WeightedSum(new RowMatrix(data, 3, 20_000), [0, 1, 2], [], 1f, output, 0.5f, output));
        Assert.Contains("overlaps the destination", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 9)]
    [InlineData(6, 8_193)]
    [InlineData(13, 40_007)]
    public void SquaredDistancesTo_FourRowsAtATime_HasTheBitsOfOneRowAtATime(int n, int d)
    {
        var data = Inputs(n, d, 5);
        var point = Matrices.Gaussian(1, d, 6);
        var distances = new double[n];
        Rows.SquaredDistancesTo(new RowMatrix(data, n, d), point, distances);
        Assert.Equal([.. Enumerable.Range(0, n).Select(i => (double)VectorMath.SquaredDistance(data.AsSpan(i * d, d), point))], distances);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void SquaredDistancesFrom_AnyPivot_HasTheBitsOfTheDistanceFromThePivot(int pivot)
    {
        // Pivot 1 has a NaN (every distance infinite), pivot 3 is near float's limit.
        const int n = 7, d = 4_099;
        var data = Inputs(n, d, 13);
        var distances = new double[n];
        Rows.SquaredDistancesFrom(new RowMatrix(data, n, d), pivot, distances);
        var from = data.AsSpan(pivot * d, d).ToArray();
        double[] expected = [.. Enumerable.Range(0, n).Select(i => i == pivot && VectorMath.IsFinite(from) ? 0 : (double)VectorMath.SquaredDistance(from, data.AsSpan(i * d, d)))];
        Assert.Equal(expected, distances);
    }

    [Fact]
    public void WeightedSumAndDistances_WrongShapes_Refused()
    {
        var data = new float[12];
        Assert.Throws<ArgumentException>(() => Rows.WeightedSumAndDistances(new RowMatrix(data, 3, 4), [0], [], 1f, [], 0f, new float[4], new double[2]));
        Assert.Throws<ArgumentException>(() => Rows.WeightedSumAndDistances(new RowMatrix(data, 3, 4), [0], [], 1f, new float[3], 0f, new float[4], new double[3]));
        Assert.Throws<ArgumentException>(() => Rows.WeightedSumAndDistances(new RowMatrix(data, 3, 4), [], [], 1f, [], 0f, new float[4], new double[3]));
    }

    [Theory]
    [InlineData(12, 3_001, 2.0, 3)]
    [InlineData(40, 60_013, 0.5, 4)]
    [InlineData(9, 1_900_003, 0.5, 3)]
    [InlineData(40, 50_021, 1e6, 2)]
    [InlineData(12, 3_001, 2.0, 1)]
    [InlineData(25, 20_011, 0.5, 5)]
    public void CenteredClipping_SeveralIterations_HasTheBitsOfTheTwoPassIteration(int n, int d, double tau, int iterations)
    {
        var data = Inputs(n, d, 7);
        var center = Matrices.Gaussian(1, d, 8);
        var output = new float[d];
        CenteredClipping.CenteredClipping.Aggregate(new RowMatrix(data, n, d), center, tau, iterations, output);
        Assert.Equal(Bits(TwoPass(data, n, d, center, tau, iterations)), Bits(output));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void CenteredClipping_CentreInTheDestination_HasTheBitsOfASeparateCentre(int iterations)
    {
        // The iterations alternate between the destination and a spare buffer, the centre's
        // first read included, whatever the parity of their number.
        const int n = 12, d = 3_001;
        var data = Inputs(n, d, 9);
        var center = Matrices.Gaussian(1, d, 10);
        var shared = (float[])center.Clone();
        CenteredClipping.CenteredClipping.Aggregate(new RowMatrix(data, n, d), shared, 2.0, iterations, shared);
        Assert.Equal(Bits(TwoPass(data, n, d, center, 2.0, iterations)), Bits(shared));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void CenteredClipping_EveryRowAtTheCentre_OutputIsTheCentre(int iterations, bool inTheDestination)
    {
        // Rows at distance 0 carry no weight: no row is kept and v stays where it starts.
        const int n = 5, d = 1_001;
        var center = Matrices.Gaussian(1, d, 12);
        var data = Enumerable.Range(0, n).SelectMany(_ => center).ToArray();
        var output = inTheDestination ? (float[])center.Clone() : new float[d];
        CenteredClipping.CenteredClipping.Aggregate(new RowMatrix(data, n, d), inTheDestination ? output : center, 1.0, iterations, output);
        Assert.Equal(Bits(center), Bits(output));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void CenteredClipping_NoRowKeptAfterTheFirstIteration_KeepsThatIterationsCentre(int iterations)
    {
        // Both rows are the same point p: the first iteration moves v onto p exactly (tau above
        // the distance, so each row has weight 1: 0.5 p + 0.5 p), and from there both rows are
        // at distance 0, so the iterations after it keep no row and v where the first one wrote it.
        const int n = 2, d = 2_003;
        var point = Matrices.Gaussian(1, d, 14);
        var data = Enumerable.Range(0, n).SelectMany(_ => point).ToArray();
        var center = new float[d];
        var output = new float[d];
        CenteredClipping.CenteredClipping.Aggregate(new RowMatrix(data, n, d), center, 1e9, iterations, output);
        Assert.Equal(Bits(TwoPass(data, n, d, center, 1e9, iterations)), Bits(output));
        Assert.Equal(Bits(TwoPass(data, n, d, center, 1e9, 1)), Bits(output));
    }

    /// <summary>Each iteration measures every row's distance to v, then sums: the rule's definition, pass by pass.</summary>
    private static float[] TwoPass(float[] data, int n, int d, float[] center, double tau, int iterations)
    {
        var v = (float[])center.Clone();
        var matrix = new RowMatrix(data, n, d);
        for (int l = 0; l < iterations; l++)
        {
            var previous = (float[])v.Clone();
            var kept = new List<int>();
            var weights = new List<float>();
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                double distance = Math.Sqrt(VectorMath.SquaredDistance(data.AsSpan(i * d, d), previous));
                if (double.IsFinite(distance) && distance != 0)
                {
                    double weight = Math.Min(1.0, tau / distance);
                    kept.Add(i);
                    weights.Add((float)(weight / n));
                    total += weight;
                }
            }

            if (kept.Count > 0)
            {
                Rows.WeightedSum(matrix, [.. kept], [.. weights], 1f, v);
                TensorPrimitives.MultiplyAdd(previous, (float)(1.0 - (total / n)), v, v);
            }
        }

        return v;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
