namespace ByzantineSim.Aggregators.Tests;

/// <summary>SMEA against its definition, evaluated by brute force in double with closed-form 2 x 2 eigenvalues.</summary>
public class SmeaTests
{
    [Theory]
    [InlineData(6, 1, 1UL)]
    [InlineData(8, 2, 2UL)]
    [InlineData(9, 3, 3UL)]
    [InlineData(11, 2, 4UL)]
    public void Smea_RandomRowsWithOutliers_IsTheMeanOfTheSubsetWithSmallestTopEigenvalue(int n, int f, ulong seed)
    {
        const int d = 2;
        var data = Matrices.Gaussian(n, d, seed);
        for (int b = 0; b < f; b++)
        {
            // Outliers along different directions, some close enough to compete.
            data[((n - 1 - b) * d) + (b % d)] += 2f + (3f * b);
        }

        var expected = Enumerable.Range(0, 1 << n)
            .Where(mask => System.Numerics.BitOperations.PopCount((uint)mask) == n - f)
            .Select(mask => Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).ToArray())
            .MinBy(subset => TopEigenvalue(data, subset))!;
        var output = new float[d];
        BuiltInAggregators.Create("smea", f).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);
        for (int k = 0; k < d; k++)
        {
            Assert.Equal(expected.Average(i => (double)data[(i * d) + k]), output[k], 1e-5);
        }
    }

    [Fact]
    public void Smea_N100F20_RefusesNamingTheCountAndTheLimit()
    {
        var aggregator = BuiltInAggregators.Create("smea", 20);
        Assert.False(aggregator.Accepts(100));
        var data = new float[100 * 3];
        var error = Assert.Throws<AggregationException>(() => aggregator.Aggregate(Matrices.View(data, 100), new float[3], AggregationContext.Stateless));
        Assert.Equal(
            "smea refuses n = 100, f = 20: C(100, 20) = 5.36E+20 subsets exceeds max_subsets = 1000000; raise max_subsets or choose another rule (caf filters in polynomial time)",
            error.Message);
    }

    /// <summary>Largest eigenvalue of the 2 x 2 covariance (1/|S|) sum (x_i - mean)(x_i - mean)^T, closed form.</summary>
    private static double TopEigenvalue(float[] data, int[] subset)
    {
        double mx = subset.Average(i => (double)data[2 * i]);
        double my = subset.Average(i => (double)data[(2 * i) + 1]);
        double a = subset.Average(i => Math.Pow(data[2 * i] - mx, 2));
        double c = subset.Average(i => Math.Pow(data[(2 * i) + 1] - my, 2));
        double b = subset.Average(i => (data[2 * i] - mx) * (data[(2 * i) + 1] - my));
        return ((a + c) / 2) + Math.Sqrt((((a - c) / 2) * ((a - c) / 2)) + (b * b));
    }
}
