using ByzantineSim.Aggregators.CenteredClipping;
using ByzantineSim.Testing;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// Centered clipping's first-iteration distances, to the centre its state carries, can be
/// measured as the updates arrive (<see cref="IMeasuresRowsOnArrival"/>): given them, the rule
/// has the bits of measuring them itself, really uses them, and gets none where they would not
/// fit (no centre yet, or rows rewritten by a pre-aggregator).
/// </summary>
public class ArrivalMeasureTests
{
    private const int N = 11, F = 3, D = 301;

    /// <summary>Rows of several scales with a NaN row and an infinite row.</summary>
    private static float[] Inputs(ulong seed)
    {
        var data = Matrices.Gaussian(N, D, seed);
        for (int i = 0; i < N; i++)
        {
            for (int k = 0; k < D; k++)
            {
                data[(i * D) + k] *= 1 + i;
            }
        }

        data[(2 * D) + 5] = float.NaN;
        data[(7 * D) + 9] = float.PositiveInfinity;
        return data;
    }

    private static IAggregator Rule(int iterations) =>
        BuiltInAggregators.Create(CenteredClippingAggregator.RegistryName, F, new Dictionary<string, string> { ["tau"] = "5", ["iterations"] = iterations.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>A state with a centre: the rule's output on another round's rows.</summary>
    private static AggregatorState State(IAggregator rule) =>
        rule.Aggregate(new RowMatrix(Inputs(3), N, D), new float[D], AggregationContext.Stateless)!;

    private static double[] Measured(IMeasuresRowsOnArrival rule, AggregatorState? state, float[] data)
    {
        var measure = rule.ArrivalMeasure(state, D)!;
        return [.. Enumerable.Range(0, N).Select(i => measure(data.AsSpan(i * D, D)))];
    }

    private static float[] Run(IAggregator rule, AggregatorState state, float[] data, ReadOnlyMemory<double> measures)
    {
        var output = new float[D];
        rule.Aggregate(new RowMatrix(data, N, D), output, AggregationContext.Stateless with { State = state, ArrivalMeasures = measures });
        return output;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void GivenTheArrivalMeasures_TheOutputHasTheBitsOfMeasuringThem(int iterations)
    {
        var rule = Rule(iterations);
        var state = State(rule);
        var data = Inputs(4);
        var measuredHere = Run(rule, state, data, ReadOnlyMemory<double>.Empty);
        Assert.Equal(measuredHere, Run(rule, state, data, Measured((IMeasuresRowsOnArrival)rule, state, data)));
        Assert.All(measuredHere, value => Assert.True(float.IsFinite(value)));

        // Measures of another length are not the rows' own: ignored.
        Assert.Equal(measuredHere, Run(rule, state, data, new double[N - 1]));
    }

    [Fact]
    public void GivenArrivalMeasures_TheRuleUsesThem()
    {
        // Every row told it sits on the centre is skipped as a zero step: the centre stays put.
        var rule = Rule(1);
        var state = State(rule);
        var data = Inputs(4);
        Assert.NotEqual(Run(rule, state, data, ReadOnlyMemory<double>.Empty), Run(rule, state, data, new double[N]));
    }

    [Fact]
    public void WithoutACentreOfTheRowsLength_ThereIsNoMeasure()
    {
        var rule = (IMeasuresRowsOnArrival)Rule(1);
        Assert.Null(rule.ArrivalMeasure(null, D));
        Assert.Null(rule.ArrivalMeasure(State(Rule(1)), D + 1));
        Assert.NotNull(rule.ArrivalMeasure(State(Rule(1)), D));
    }

    [Fact]
    public void AfterAPreAggregator_NoMeasureIsTaken_AndGivenOnesAreDropped()
    {
        var pipeline = BuiltInAggregators.CreatePipeline("clipping>centered-clipping", F);
        var state = State(Rule(1));
        Assert.Null(pipeline.ArrivalMeasure(state, D));
        Assert.NotNull(BuiltInAggregators.CreatePipeline("centered-clipping", F).ArrivalMeasure(state, D));

        var data = Inputs(4);
        var context = AggregationContext.Stateless with { State = state };
        var plain = new float[D];
        pipeline.Aggregate(new RowMatrix(data, N, D), plain, context);
        var nonsense = new float[D];
        pipeline.Aggregate(new RowMatrix(data, N, D), nonsense, context with { ArrivalMeasures = new double[N] });
        Assert.Equal(plain, nonsense);
    }
}
