namespace ByzantineSim.Aggregators.Tests;

/// <summary>Behaviour of every robust rule with non-finite and huge Byzantine rows.</summary>
public class AggregatorRobustnessTests
{
    public static TheoryData<string> RobustRules => ["krum", "cge", "centered-clipping"];

    public static TheoryData<string> EveryRobustRule =>
        ["krum", "cge", "centered-clipping", "median", "trimmed-mean", "geometric-median", "multi-krum", "mda", "meamed", "monna", "smea", "caf"];

    [Theory]
    [MemberData(nameof(EveryRobustRule))]
    public void RobustRule_FByzantineRowsNonFinite_OutputFinite(string name)
    {
        const int n = 11, f = 3, d = 17;
        foreach (float poison in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e38f })
        {
            var data = Matrices.Gaussian(n, d, 7);
            for (int i = n - f; i < n; i++)
            {
                data.AsSpan(i * d, d).Fill(poison);
            }

            var output = new float[d];
            BuiltInAggregators.Create(name, f).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);
            Assert.True(VectorMath.IsFinite(output), $"{name} with {poison} rows gave a non-finite output");
        }
    }

    [Theory]
    [MemberData(nameof(RobustRules))]
    public void RobustRule_HonestRowsAgree_ReturnsThem(string name)
    {
        const int n = 9, f = 2, d = 5;
        float[] honest = [0.5f, -1f, 2f, 0f, 3f];
        var data = new float[n * d];
        for (int i = 0; i < n - f; i++)
        {
            honest.CopyTo(data, i * d);
        }

        Matrices.Gaussian(f, d, 3, scale: 1000).CopyTo(data, (n - f) * d);
        var output = new float[d];
        var options = name == "centered-clipping" ? new Dictionary<string, string> { ["tau"] = "0.5", ["iterations"] = "50" } : null;
        BuiltInAggregators.Create(name, f, options).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);
        Assert.Equal(honest, output, new FloatComparer(name == "centered-clipping" ? 0.2f : 1e-6f));
    }

    [Fact]
    public void Mean_NaNRow_IsPoisoned()
    {
        var data = Matrices.Flatten([1, 2], [float.NaN, 0]);
        var output = new float[2];
        BuiltInAggregators.Create("mean", 1).Aggregate(Matrices.View(data, 2), output, AggregationContext.Stateless);
        Assert.True(float.IsNaN(output[0]));
    }

    [Fact]
    public void Krum_TooFewInputs_Throws()
    {
        var pipeline = new AggregationPipeline(BuiltInAggregators.Create("krum", 2));
        var data = Matrices.Gaussian(6, 3, 1);
        var error = Assert.Throws<AggregationException>(() => pipeline.Aggregate(Matrices.View(data, 6), new float[3], AggregationContext.Stateless));
        Assert.Contains("n > 2f + 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregators_NeverModifyInputs()
    {
        var data = Matrices.Gaussian(10, 8, 5);
        data[3] = float.NaN;
        var copy = data.ToArray();
        foreach (string name in BuiltInAggregators.Aggregators.Names)
        {
            var aggregator = BuiltInAggregators.Create(name, name == "bulyan" ? 1 : 2);
            // FLTrust also reads the server's update, a vector of ones here.
            aggregator.Aggregate(Matrices.View(data, 10), new float[8], AggregationContext.Stateless with { ServerUpdate = Enumerable.Repeat(1f, 8).ToArray() });
            Assert.Equal(copy, data);
        }

        var output = new float[80];
        foreach (string name in BuiltInAggregators.PreAggregators.Names)
        {
            var step = BuiltInAggregators.CreatePreAggregator(name, 2);
            step.Apply(Matrices.View(data, 10), output.AsSpan(0, step.OutputRows(10) * 8), AggregationContext.Stateless);
            Assert.Equal(copy, data);
        }
    }
}
