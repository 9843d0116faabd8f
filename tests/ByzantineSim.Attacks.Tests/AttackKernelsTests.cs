namespace ByzantineSim.Attacks.Tests;

public class AttackKernelsTests
{
    // 7 x 9001 crosses several column blocks and leaves a SIMD tail.
    private const int Rows = 7;
    private const int Columns = 9001;

    private static (double[] Mean, double[] Std) Naive(float[] data, int n, int d)
    {
        var mean = new double[d];
        var std = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += data[(i * d) + j];
            }

            mean[j] = sum / n;
            double squares = 0;
            for (int i = 0; i < n; i++)
            {
                double diff = data[(i * d) + j] - mean[j];
                squares += diff * diff;
            }

            std[j] = Math.Sqrt(squares / (n - 1));
        }

        return (mean, std);
    }

    [Fact]
    public void MeanAndStd_ManyBlocksAndTail_MatchesDoublePrecisionReference()
    {
        var data = Matrices.Gaussian(Rows, Columns, 3, scale: 2, shift: 1);
        var copy = data.ToArray();
        var mean = new float[Columns];
        var std = new float[Columns];
        AttackKernels.MeanAndStd(Matrices.View(data, Rows), mean, std);
        var (expectedMean, expectedStd) = Naive(data, Rows, Columns);
        for (int j = 0; j < Columns; j++)
        {
            Assert.Equal(expectedMean[j], mean[j], 1e-5);
            Assert.Equal(expectedStd[j], std[j], 1e-5);
        }

        Assert.Equal(copy, data); // kernels never modify their inputs
    }

    [Fact]
    public void MeanPlusScaledStd_EqualsMeanAndStdCombined()
    {
        var data = Matrices.Gaussian(Rows, Columns, 4);
        var mean = new float[Columns];
        var std = new float[Columns];
        AttackKernels.MeanAndStd(Matrices.View(data, Rows), mean, std);
        var combined = new float[Columns];
        AttackKernels.MeanPlusScaledStd(Matrices.View(data, Rows), -1.5f, combined);
        for (int j = 0; j < Columns; j++)
        {
            Assert.Equal(mean[j] - (1.5f * std[j]), combined[j], 5);
        }
    }

    [Theory]
    [InlineData(7, 1_003)]
    [InlineData(4, (1 << 20) + 37)]
    public void MeanMinusAndPlusScaledStd_HasTheBitsOfTwoMeanPlusScaledStdCalls(int n, int d)
    {
        // One read of the matrix for both bounds, on one core and split over the cores.
        var data = Matrices.Gaussian(n, d, 8);
        data[5] = float.NaN;
        data[d + 9] = 3e38f;
        var low = new float[d];
        var high = new float[d];
        AttackKernels.MeanMinusAndPlusScaledStd(Matrices.View(data, n), 1.75f, low, high);
        var expectedLow = new float[d];
        var expectedHigh = new float[d];
        AttackKernels.MeanPlusScaledStd(Matrices.View(data, n), -1.75f, expectedLow);
        AttackKernels.MeanPlusScaledStd(Matrices.View(data, n), 1.75f, expectedHigh);
        Assert.Equal(expectedLow.Select(BitConverter.SingleToInt32Bits), low.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expectedHigh.Select(BitConverter.SingleToInt32Bits), high.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ScaledMean_IsBitwiseTheRowOrderSum()
    {
        var data = Matrices.Gaussian(Rows, Columns, 5);
        var mean = new float[Columns];
        AttackKernels.ScaledMean(Matrices.View(data, Rows), 1f, mean);
        var expected = new float[Columns];
        Core.Numerics.VectorMath.MeanOfRows(Matrices.View(data, Rows), expected);
        for (int j = 0; j < Columns; j++)
        {
            Assert.Equal(expected[j], mean[j], 6);
        }
    }

    [Fact]
    public void MeanAndStd_OneRow_StdIsZero()
    {
        var mean = new float[3];
        var std = new float[3];
        AttackKernels.MeanAndStd(Matrices.View([1f, 2f, 3f], 1), mean, std);
        Assert.Equal([1f, 2f, 3f], mean);
        Assert.Equal([0f, 0f, 0f], std);
    }

    [Fact]
    public void MeanAndStd_LargeMatrixSplitAcrossCores_MatchesReferenceAndRepeatsBitwise()
    {
        const int n = 4;
        const int d = (1 << 20) + 37; // above the parallel threshold, with a ragged last range
        var data = Matrices.Gaussian(n, d, 6);
        var mean = new float[d];
        var std = new float[d];
        AttackKernels.MeanAndStd(Matrices.View(data, n), mean, std);
        var again = new float[d];
        AttackKernels.MeanPlusScaledStd(Matrices.View(data, n), 0f, again);
        Assert.Equal(mean, again);
        foreach (int j in new[] { 0, 63, 64, 262_143, 262_144, 524_287, d - 38, d - 1 })
        {
            double m = Enumerable.Range(0, n).Average(i => (double)data[(i * d) + j]);
            double s = Math.Sqrt(Enumerable.Range(0, n).Sum(i => Math.Pow(data[(i * d) + j] - m, 2)) / (n - 1));
            Assert.Equal(m, mean[j], 1e-5);
            Assert.Equal(s, std[j], 1e-5);
        }
    }

    [Fact]
    public void MaxPairwiseSquaredDistance_MatchesPairByPair()
    {
        var data = Matrices.Gaussian(9, 5000, 7);
        var rows = Matrices.View(data, 9);
        double expected = 0;
        for (int i = 0; i < 9; i++)
        {
            for (int j = i + 1; j < 9; j++)
            {
                expected = Math.Max(expected, Core.Numerics.VectorMath.SquaredDistance(rows[i], rows[j]));
            }
        }

        Assert.Equal(expected, AttackKernels.MaxPairwiseSquaredDistance(rows), expected * 1e-5);
    }
}
