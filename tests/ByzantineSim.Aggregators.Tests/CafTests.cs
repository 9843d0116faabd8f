using ByzantineSim.Testing;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// CAF against its definition run directly in the input space (d = 2, double precision,
/// closed-form eigenpairs of the 2 x 2 weighted covariance), in both normalisations.
/// </summary>
public class CafTests
{
    [Theory]
    [InlineData(7, 2, 1UL, "weighted")]
    [InlineData(10, 3, 2UL, "weighted")]
    [InlineData(12, 2, 3UL, "weighted")]
    [InlineData(7, 2, 1UL, "all")]
    [InlineData(10, 3, 2UL, "all")]
    [InlineData(12, 2, 3UL, "all")]
    public void Caf_RandomRowsWithOutliers_MatchesTheFilterRunInInputSpace(int n, int f, ulong seed, string tauMax)
    {
        const int d = 2;
        var data = Matrices.Gaussian(n, d, seed);
        for (int b = 0; b < f; b++)
        {
            data[((n - 1 - b) * d) + (b % d)] += 6f + (4f * b);
        }

        var expected = Reference(data, n, f, weighted: tauMax == "weighted");
        var output = new float[d];
        BuiltInAggregators.Create("caf", f, new Dictionary<string, string> { ["tau_max"] = tauMax }).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);
        Assert.Equal(expected[0], output[0], 1e-5);
        Assert.Equal(expected[1], output[1], 1e-5);
    }

    [Fact]
    public void Caf_OutliersAtTwoScales_WeightedFormRemovesBoth()
    {
        // A removed row far out (1e12) keeps the largest projection under ByzFL's all-rows maximum,
        // so the nearer outlier (1e3) loses ~1e-18 of its weight per iteration; the weighted
        // maximum removes it at the next iteration.
        const int n = 9, f = 2, d = 2;
        var data = Matrices.Gaussian(n, d, 5);
        data[(7 * d) + 0] = 1e3f;
        data[(8 * d) + 1] = 1e12f;
        var honest = AggregatorLaws.Mean(data.AsSpan(0, 7 * d), 7, d);
        var output = new float[d];
        BuiltInAggregators.Create("caf", f).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);
        Assert.True(Math.Abs(output[0] - honest[0]) < 2 && Math.Abs(output[1] - honest[1]) < 2, $"caf kept an outlier: [{output[0]}, {output[1]}]");
        BuiltInAggregators.Create("caf", f, new Dictionary<string, string> { ["tau_max"] = "all" }).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);
        Assert.True(Math.Abs(output[0] - honest[0]) > 50, $"ByzFL's form was expected to keep the 1e3 row within the iteration cap: [{output[0]}, {output[1]}]");
    }

    /// <summary>With f = 0 nothing is filtered: CAF's and SMEA's only subset or weighting is every row's, the mean.</summary>
    [Theory]
    [InlineData("caf")]
    [InlineData("smea")]
    public void F0_IsTheMean(string rule)
    {
        var data = Matrices.Gaussian(5, 7, 9);
        var output = new float[7];
        var mean = new float[7];
        BuiltInAggregators.Create(rule, 0).Aggregate(Matrices.View(data, 5), output, AggregationContext.Stateless);
        Rows.Mean(Matrices.View(data, 5), Rows.AllRows(5), mean);
        Assert.Equal(mean, output);
    }

    /// <summary>The filter as the paper and ByzFL write it, with exact 2 x 2 eigenpairs.</summary>
    private static double[] Reference(float[] x, int n, int f, bool weighted)
    {
        var c = Enumerable.Repeat(1.0, n).ToArray();
        double best = double.PositiveInfinity;
        var bestMean = new double[2];
        for (int iteration = 0; c.Sum() > n - (2 * f) && iteration < 1000; iteration++)
        {
            double total = c.Sum();
            double mx = Enumerable.Range(0, n).Sum(i => c[i] * x[2 * i]) / total;
            double my = Enumerable.Range(0, n).Sum(i => c[i] * x[(2 * i) + 1]) / total;
            double a = Enumerable.Range(0, n).Sum(i => c[i] * Math.Pow(x[2 * i] - mx, 2)) / total;
            double cc = Enumerable.Range(0, n).Sum(i => c[i] * Math.Pow(x[(2 * i) + 1] - my, 2)) / total;
            double b = Enumerable.Range(0, n).Sum(i => c[i] * (x[2 * i] - mx) * (x[(2 * i) + 1] - my)) / total;
            double lambda = ((a + cc) / 2) + Math.Sqrt((((a - cc) / 2) * ((a - cc) / 2)) + (b * b));
            if (lambda < best)
            {
                best = lambda;
                bestMean = [mx, my];
            }

            var (vx, vy) = Math.Abs(b) > 0 ? (lambda - cc, b) : (a >= cc ? (1.0, 0.0) : (0.0, 1.0));
            double norm = Math.Sqrt((vx * vx) + (vy * vy));
            var tau = Enumerable.Range(0, n).Select(i => Math.Pow((((x[2 * i] - mx) * vx) + ((x[(2 * i) + 1] - my) * vy)) / norm, 2)).ToArray();
            double max = Enumerable.Range(0, n).Where(i => !weighted || c[i] > 0).Max(i => tau[i]);
            for (int i = 0; i < n; i++)
            {
                c[i] *= 1 - (tau[i] / max);
            }
        }

        return bestMean;
    }

    [Theory]
    [InlineData("caf")]
    [InlineData("smea")]
    public void CentredGramRules_AllocateNoModelSizedArrayPerCall(string rule)
    {
        // Both rules start from the median-centred Gram matrix, which used to take a fresh
        // d-float median and an n x 8,192 scratch per call (1.2 MB here). What they allocate
        // besides is n x n or per-subset, so 7 rows keep it small.
        const int n = 7, d = 100_000;
        var (allocated, _) = PooledRounds.Run(BuiltInAggregators.Create(rule, 2), new RowMatrix(Matrices.Gaussian(n, d, 11), n, d), new float[d], rounds: 4, unmeasured: 2);
        Assert.InRange(allocated, 0, d); // under a quarter of one d-float array per call
    }
}
