using ByzantineSim.Testing;
using FsCheck.Xunit;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>Properties particular to one rule, checked against direct double-precision computations.</summary>
public class RuleSpecificTests
{
    private static float[] Aggregate(string name, AggregatorScenario s, float[] data, Dictionary<string, string>? options = null, AggregationContext? context = null)
    {
        var output = new float[s.D];
        BuiltInAggregators.Create(name, s.F, options).Aggregate(new RowMatrix(data, s.N, s.D), output, context ?? AggregationContext.Stateless);
        return output;
    }

    private static double Distance(float[] data, int d, int i, int j) =>
        Enumerable.Range(0, d).Sum(k => Math.Pow((double)data[(i * d) + k] - data[(j * d) + k], 2));

    [Property(MaxTest = 60, Arbitrary = [typeof(RobustnessArbitraries)])]
    public bool Krum_AnyInputs_ReturnsAnInputWithTheLowestScore(AggregatorScenario s)
    {
        if (s.N <= (2 * s.F) + 2)
        {
            return true;
        }

        var data = s.Build();
        var output = Aggregate("krum", s, data);
        int m = s.N - s.F - 2;
        var scores = Enumerable.Range(0, s.N)
            .Select(i => Enumerable.Range(0, s.N).Where(j => j != i).Select(j => Distance(data, s.D, i, j)).Order().Take(m).Sum())
            .ToArray();
        int chosen = Enumerable.Range(0, s.N).First(i => data.AsSpan(i * s.D, s.D).SequenceEqual(output));
        return scores[chosen] <= (scores.Min() * (1 + 1e-3)) + 1e-9;
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(RobustnessArbitraries)])]
    public bool Cge_AnyInputs_EqualsMeanOfTheNMinusFSmallestNorms(AggregatorScenario s)
    {
        if (s.N <= 2 * s.F)
        {
            return true;
        }

        var data = s.Build();
        var output = Aggregate("cge", s, data);
        var kept = Enumerable.Range(0, s.N)
            .OrderBy(i => Enumerable.Range(0, s.D).Sum(k => Math.Pow(data[(i * s.D) + k], 2))).ThenBy(i => i)
            .Take(s.N - s.F).ToArray();
        return Enumerable.Range(0, s.D).All(k =>
        {
            double expected = kept.Average(i => (double)data[(i * s.D) + k]);
            return Math.Abs(expected - output[k]) <= 1e-5 * (1 + kept.Max(i => Math.Abs((double)data[(i * s.D) + k])));
        });
    }

    [Property(MaxTest = 80, Arbitrary = [typeof(AggregatorArbitraries)])]
    public bool MedianAndTrimmedMean_AnyByzantineRows_StayInTheHonestCoordinateRange(AggregatorScenario s)
    {
        if (s.N <= 2 * s.F)
        {
            return true;
        }

        var data = s.Build();
        foreach (string rule in new[] { "median", "trimmed-mean" })
        {
            var output = Aggregate(rule, s, data);
            for (int k = 0; k < s.D; k++)
            {
                var honest = Enumerable.Range(0, s.N - s.F).Select(i => data[(i * s.D) + k]).ToArray();
                if (!(output[k] >= honest.Min() - (1e-5f * Math.Abs(honest.Min())) && output[k] <= honest.Max() + (1e-5f * Math.Abs(honest.Max()))))
                {
                    throw new Xunit.Sdk.XunitException($"{rule} coordinate {k}: {output[k]} outside [{honest.Min()}, {honest.Max()}]");
                }
            }
        }

        return true;
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(AggregatorArbitraries)])]
    public bool CenteredClipping_AnyInputs_MovesAtMostTauTimesIterationsFromItsStart(AggregatorScenario s)
    {
        if (s.N <= 2 * s.F)
        {
            return true;
        }

        var data = s.Build();
        var start = Matrices.Gaussian(1, s.D, s.Seed + 1, scale: 5);
        const double tau = 0.7;
        const int iterations = 3;
        var state = new CenteredClipping.CenteredClippingState(VectorPayload.CopyOf(start));
        var output = Aggregate("centered-clipping", s, data, new() { ["tau"] = "0.7", ["iterations"] = "3" }, new AggregationContext(1, 0, state));
        double moved = Math.Sqrt(Enumerable.Range(0, s.D).Sum(k => Math.Pow((double)output[k] - start[k], 2)));
        return moved <= (tau * iterations * (1 + 1e-5)) + 1e-6;
    }

    [Fact]
    public void CenteredClipping_EmptyCentre_IsTheZeroCentre_AndAWrongLengthIsRefused()
    {
        // The first round starts from zero without allocating a zero vector: the same bits.
        var data = Matrices.Gaussian(7, 33, 5, scale: 3);
        var inputs = new RowMatrix(data, 7, 33);
        var fromZero = new float[33];
        var fromEmpty = new float[33];
        CenteredClipping.CenteredClipping.Aggregate(inputs, new float[33], 0.5, 4, fromZero);
        CenteredClipping.CenteredClipping.Aggregate(inputs, [], 0.5, 4, fromEmpty);
        Assert.Equal(fromZero, fromEmpty);
        Assert.Contains(fromZero, v => v != 0);
        Assert.Throws<ArgumentException>(() => CenteredClipping.CenteredClipping.Aggregate(new RowMatrix(data, 7, 33), new float[32], 0.5, 4, fromZero));
    }

    [Fact]
    public void CenteredClipping_WithAStatePool_RoundAfterRoundAllocatesNothingModelSized_AndARetiredStateThrows()
    {
        // The server's use: the state of round t is the centre of round t + 1, then retired. With
        // the run's pool the next state reuses the retired one's array instead of a fresh one.
        const int d = 100_000;
        var output = new float[d];
        var (allocated, state) = PooledRounds.Run(BuiltInAggregators.Create("centered-clipping", 2), new RowMatrix(Matrices.Gaussian(7, d, 11), 7, d), output, rounds: 4, unmeasured: 2);
        Assert.InRange(allocated, 0, d); // under a quarter of one d-float array per round
        var current = Assert.IsType<CenteredClipping.CenteredClippingState>(state);
        Assert.Equal(output, current.Center.Span.ToArray());
        current.Retire();
        Assert.Throws<ObjectDisposedException>(() => current.Center.Span.ToArray());
    }

    [Fact]
    public void CenteredClipping_PooledStates_GiveTheSameBitsAsFreshOnes()
    {
        var data = Matrices.Gaussian(9, 257, 3, scale: 4);
        var rule = BuiltInAggregators.Create("centered-clipping", 2, new Dictionary<string, string> { ["tau"] = "0.9", ["iterations"] = "2" });
        var pool = new PayloadPool(1L << 20);
        AggregatorState? fresh = null, pooled = null;
        for (int round = 0; round < 5; round++)
        {
            var a = new float[257];
            var b = new float[257];
            fresh = rule.Aggregate(new RowMatrix(data, 9, 257), a, new AggregationContext(round, 0, fresh));
            var next = rule.Aggregate(new RowMatrix(data, 9, 257), b, new AggregationContext(round, 0, pooled) { StatePool = pool });
            pooled?.Retire();
            pooled = next;
            Assert.Equal(a, b);
        }
    }

    [Theory]
    [InlineData(3e38f, 1e-3)]
    [InlineData(-3e38f, 1e-3)]
    [InlineData(1e20f, 1e-20)]
    public void Clipping_HugeRowToSmallRadius_LandsOnTheRadius(float value, double radius)
    {
        // The factor radius / norm is far below float's normal range here (about 1e-43): taken as
        // a float it keeps a few bits only, and the clipped norm misses the radius by up to a third.
        var row = Enumerable.Repeat(value, 64).ToArray();
        var clipped = new float[row.Length];
        Clipping.Clipping.ScaleTo(row, Rows.Norm(row), radius, clipped);
        Assert.Equal(radius, Math.Sqrt(clipped.Sum(v => (double)v * v)), radius * 1e-6);
        Assert.All(clipped, v => Assert.Equal(Math.Sign(value), Math.Sign(v)));
    }

    [Fact]
    public void Mda_TooManySubsets_RefusesNamingCountAndLimit()
    {
        var aggregator = BuiltInAggregators.Create("mda", 20);
        Assert.False(aggregator.Accepts(100));
        var data = Matrices.Gaussian(100, 2, 1);
        var error = Assert.Throws<AggregationException>(() => aggregator.Aggregate(Matrices.View(data, 100), new float[2], AggregationContext.Stateless));
        Assert.Contains("C(100, 20) = 5.36", error.Message, StringComparison.Ordinal);
        Assert.Contains("exceeds max_subsets = 10000000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mda_SmallPopulation_FindsTheMinimumDiameterSubsetByExhaustion()
    {
        const int n = 9, f = 3, d = 3;
        var data = Matrices.Gaussian(n, d, 11);
        var output = new float[d];
        BuiltInAggregators.Create("mda", f).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);

        double bestDiameter = double.PositiveInfinity;
        int[] best = [];
        foreach (var subset in Subsets(n, n - f))
        {
            double diameter = subset.SelectMany(i => subset.Select(j => Distance(data, d, i, j))).Max();
            if (diameter < bestDiameter)
            {
                (bestDiameter, best) = (diameter, subset);
            }
        }

        var expected = Enumerable.Range(0, d).Select(k => (float)best.Average(i => (double)data[(i * d) + k])).ToArray();
        Assert.Equal(expected, output, new FloatComparer(1e-5f));
    }

    [Fact]
    public void Bucketing_DeterministicCore_PermutedInputsWithPermutedOrder_SameBuckets()
    {
        const int n = 7, d = 5;
        var data = Matrices.Gaussian(n, d, 3);
        var order = Bucketing.Bucketing.Permutation(n, 42);
        var expected = new float[4 * d];
        Bucketing.Bucketing.Apply(Matrices.View(data, n), order, 2, expected);

        // Move input i to position p[i]; the order that names the same inputs gives the same buckets.
        int[] p = [3, 0, 6, 1, 5, 2, 4];
        var moved = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(data, i * d, moved, p[i] * d, d);
        }

        var actual = new float[4 * d];
        Bucketing.Bucketing.Apply(Matrices.View(moved, n), order.Select(i => p[i]).ToArray(), 2, actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(25, 20_000, 2)] // buckets spread over the cores (each below the parallel threshold)
    [InlineData(9, 200_000, 2)] // each bucket's mean on every core
    [InlineData(7, 5, 3)]       // small: on the caller's thread
    public void Bucketing_EveryBucket_IsTheFloatMeanOfItsMembersInOrder(int n, int d, int size)
    {
        // Per value: t = x_first, t = x_k + t for the bucket's later members in order, then
        // t * (1 / members), each step rounded to float; the last bucket may be smaller.
        var data = Matrices.Gaussian(n, d, 8, scale: 3);
        var order = Bucketing.Bucketing.Permutation(n, 5);
        int buckets = (n + size - 1) / size;
        var output = new float[buckets * d];
        Bucketing.Bucketing.Apply(Matrices.View(data, n), order, size, output);
        for (int b = 0; b < buckets; b++)
        {
            var members = order.Skip(b * size).Take(size).ToArray();
            float scale = 1f / members.Length;
            for (int k = 0; k < d; k++)
            {
                float t = data[(members[0] * d) + k];
                for (int m = 1; m < members.Length; m++)
                {
                    t = data[(members[m] * d) + k] + t;
                }

                Assert.Equal(BitConverter.SingleToInt32Bits(t * scale), BitConverter.SingleToInt32Bits(output[(b * d) + k]));
            }
        }
    }

    [Fact]
    public void Bucketing_SameSeed_SameOutput_DifferentSeed_DifferentOrder()
    {
        Assert.Equal(Bucketing.Bucketing.Permutation(25, 1), Bucketing.Bucketing.Permutation(25, 1));
        Assert.NotEqual(Bucketing.Bucketing.Permutation(25, 1), Bucketing.Bucketing.Permutation(25, 2));
    }

    [Fact]
    public void MultiKrum_IterativeAndOnePass_BothAverageHonestRowsUnderAFarAttack()
    {
        var s = new AggregatorScenario(11, 2, 4, 5, ByzantineKind.Noise, false);
        var data = s.Build();
        var honestMean = Enumerable.Range(0, s.D).Select(k => Enumerable.Range(0, 9).Average(i => (double)data[(i * s.D) + k])).ToArray();
        foreach (string variant in new[] { "one-pass", "iterative" })
        {
            var output = Aggregate("multi-krum", s, data, new() { ["variant"] = variant, ["m"] = "9" });
            Assert.Equal(honestMean.Select(v => (float)v), output, new FloatComparer(1e-4f));
        }
    }

    /// <summary>
    /// Five rows whose first coordinate holds 0, 4, 2, 0, 3 and second 1, 7, 4, 4, 10 (worked by
    /// hand in KernelTests): the three values nearest the median average to 5/3 and to 3.
    /// </summary>
    private static readonly float[] RepeatedValueRows = [0, 1, 4, 7, 2, 4, 0, 4, 3, 10];

    [Fact]
    public void Meamed_ColumnWithRepeatedValues_MeanOfTheNMinusFNearestTheMedian()
    {
        var output = new float[2];
        BuiltInAggregators.Create("meamed", 2).Aggregate(Matrices.View(RepeatedValueRows, 5), output, AggregationContext.Stateless);
        Assert.Equal([5f / 3f, 3f], output, new FloatComparer(1e-6f));
    }

    [Fact]
    public void Bulyan_ColumnWithRepeatedValues_MeanOfTheBetaNearestTheMedian()
    {
        // n = 7, f = 1: two NaN rows are never among the theta = 5 that repeated Krum selects
        // (non-finite rows go last), so the coordinate-wise phase sees the five rows above and
        // keeps beta = theta - 2f = 3 values per coordinate.
        float[] data = [.. RepeatedValueRows, float.NaN, 0, 0, float.NaN];
        var output = new float[2];
        BuiltInAggregators.Create("bulyan", 1).Aggregate(Matrices.View(data, 7), output, AggregationContext.Stateless);
        Assert.Equal([5f / 3f, 3f], output, new FloatComparer(1e-6f));
    }

    private static IEnumerable<int[]> Subsets(int n, int k) =>
        k == 0 ? [[]] : Enumerable.Range(0, n).SelectMany(first => Subsets(n - first - 1, k - 1).Select(rest => (int[])[first, .. rest.Select(r => r + first + 1)]));

    [Theory]
    [InlineData(422511538UL)] // found by the permutation law: copies of an outlier make diameters tie
    [InlineData(1UL)]
    [InlineData(77UL)]
    public void Mda_TiedDiameters_SameOutputWhateverTheOrder(ulong seed)
    {
        var mda = AggregatorLaws.Rules.Single(r => r.Spec == "mda");
        var scenario = new AggregatorScenario(13, 3, 16, seed, ByzantineKind.CopyOutlier, Agreeing: false);
        Assert.Null(AggregatorLaws.PermutationInvariance(mda, scenario));
    }
}
