namespace ByzantineSim.Aggregators.Tests;

/// <summary>Runs a detecting rule by name on literal rows and returns its output and the rows it flagged.</summary>
internal static class FilterRun
{
    public static (float[] Output, int[] Flagged) Run(string name, float[][] rows, int f, Dictionary<string, string>? options = null, ulong seed = 0, AggregatorState? state = null)
    {
        var (output, flagged, _) = RunWithState(name, rows, f, options, seed, state);
        return (output, flagged);
    }

    public static (float[] Output, int[] Flagged, AggregatorState? State) RunWithState(string name, float[][] rows, int f, Dictionary<string, string>? options = null, ulong seed = 0, AggregatorState? state = null)
    {
        int d = rows[0].Length;
        var data = rows.SelectMany(r => r).ToArray();
        var verdicts = new RowVerdicts();
        var output = new float[d];
        var next = BuiltInAggregators.Create(name, f, options)
            .Aggregate(new RowMatrix(data, rows.Length, d), output, new AggregationContext(0, seed, state) { Verdicts = verdicts });
        Assert.All(verdicts.Flags, flag => Assert.Equal(Verdict.Malicious, flag.Verdict));
        return (output, [.. verdicts.Flags.Select(flag => flag.Row)], next);
    }

    /// <summary>Gaussian rows around <paramref name="centre"/> with standard deviation <paramref name="spread"/>.</summary>
    public static float[][] Gaussian(int n, int d, double centre, double spread, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        return [.. Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(_ => (float)(centre + (spread * random.NextGaussian()))).ToArray())];
    }

    /// <summary>The mean of the given rows, in double.</summary>
    public static double[] MeanOf(IEnumerable<float[]> rows)
    {
        var list = rows.ToList();
        return [.. Enumerable.Range(0, list[0].Length).Select(k => list.Average(r => (double)r[k]))];
    }

    /// <summary>The Euclidean norm of each row, in double.</summary>
    public static double[] Norms(float[][] rows) => [.. rows.Select(r => Math.Sqrt(r.Sum(v => (double)v * v)))];

    /// <summary>The median of the rows' norms (an odd number of rows): the radius the clipping rules clip to.</summary>
    public static double MedianNorm(float[][] rows) => Norms(rows).Order().ElementAt(rows.Length / 2);

    /// <summary>
    /// The mean of the rows <paramref name="kept"/> of <paramref name="rows"/>, each scaled by
    /// min(1, <paramref name="radius"/> / its norm): the hand-computed output of a rule that clips
    /// the rows it keeps to a radius and averages them.
    /// </summary>
    public static double[] ClippedMeanOf(float[][] rows, IEnumerable<int> kept, double radius)
    {
        var norms = Norms(rows);
        return MeanOf(kept.Select(i => rows[i].Select(v => (float)(v * Math.Min(1, radius / norms[i]))).ToArray()));
    }

    public static void Close(IReadOnlyList<double> expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Count, actual.Length);
        for (int k = 0; k < actual.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance * (1 + Math.Abs(expected[k])), $"coordinate {k}: expected {expected[k]}, got {actual[k]}");
        }
    }
}
