namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// The server's step against the formulas worked by hand: g = aggregate + wd theta;
/// v = beta v + g; theta' = theta - lr(t) v (v = g without momentum). Every value is a short
/// binary fraction, so float arithmetic is exact and the expected values are exact too. Nine
/// coordinates cover the 8-wide vector path and the scalar tail.
/// </summary>
public class ServerOptimizerTests
{
    private static readonly float[] Theta = [1, -2, 0.5f, 4, -0.25f, 3, 8, -1, 2];
    private static readonly float[] First = [0.5f, 0.25f, -1, 2, 0, -4, 1, 0.75f, -0.5f];
    private static readonly float[] Second = [-1, 0.5f, 0.25f, 0, 2, 1, -0.5f, 4, 0.125f];

    private static TrainingSettings Settings(double rate, double decay, double momentum, int[]? milestones = null, double gamma = 1) =>
        new(10, 8, new LearningRateSchedule(rate, [.. milestones ?? []], gamma), decay, 0, MomentumForm.Average, momentum, 1);

    private static float[] Step(ServerOptimizer optimizer, float[] aggregate, int round, TrainingSettings settings, out ServerOptimizer next)
    {
        next = optimizer.Step(aggregate, round, settings, new float[aggregate.Length], UnpooledPayloads.Instance);
        return next.Parameters.Span.ToArray();
    }

    [Fact]
    public void PlainStep_WithWeightDecay_IsThetaMinusRateTimesDecayedGradient()
    {
        // theta' = theta - 0.5 (g + 0.25 theta): for the first coordinate 1 - 0.5 (0.5 + 0.25) = 0.625.
        var settings = Settings(0.5, 0.25, 0);
        var actual = Step(new ServerOptimizer(VectorPayload.CopyOf(Theta), null), First, 0, settings, out var next);
        Assert.Equal(0.625f, actual[0]);
        Assert.Equal(Theta.Zip(First, (t, g) => t - (0.5f * (g + (0.25f * t)))), actual);
        Assert.Null(next.Velocity);
    }

    [Fact]
    public void ServerMomentum_TwoSteps_AccumulatesTheVelocity()
    {
        // v1 = g1 + wd theta0; theta1 = theta0 - lr v1; v2 = beta v1 + g2 + wd theta1; theta2 = theta1 - lr v2.
        var settings = Settings(0.5, 0.25, 0.5);
        var theta1 = Step(new ServerOptimizer(VectorPayload.CopyOf(Theta), null), First, 0, settings, out var afterFirst);
        var theta2 = Step(afterFirst, Second, 1, settings, out var afterSecond);

        var v1 = Theta.Select((t, k) => First[k] + (0.25f * t)).ToArray();
        var expected1 = Theta.Select((t, k) => t - (0.5f * v1[k])).ToArray();
        var v2 = expected1.Select((t, k) => (0.5f * v1[k]) + Second[k] + (0.25f * t)).ToArray();
        var expected2 = expected1.Select((t, k) => t - (0.5f * v2[k])).ToArray();
        Assert.Equal(expected1, theta1);
        Assert.Equal(v1, afterFirst.Velocity!.Span.ToArray());
        Assert.Equal(expected2, theta2);
        Assert.Equal(v2, afterSecond.Velocity!.Span.ToArray());

        // First coordinate by hand: v1 = 0.75, theta1 = 0.625, v2 = 0.375 - 1 + 0.15625 = -0.46875, theta2 = 0.859375.
        Assert.Equal((0.625f, 0.859375f), (theta1[0], theta2[0]));
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.25)]
    [InlineData(4, 0.125)]
    [InlineData(9, 0.125)]
    public void Schedule_Milestones_MultiplyTheRateByGammaFromThatRound(int round, double rate)
    {
        // Milestones [2, 4] with gamma 0.5: 0.5 until round 1, 0.25 for rounds 2 and 3, then 0.125.
        var settings = Settings(0.5, 0, 0, [2, 4], 0.5);
        var actual = Step(new ServerOptimizer(VectorPayload.CopyOf(Theta), null), First, round, settings, out _);
        Assert.Equal(Theta.Zip(First, (t, g) => t - ((float)rate * g)), actual);
    }

    [Fact]
    public void Step_LeavesThePreviousStateUnchanged()
    {
        var start = new ServerOptimizer(VectorPayload.CopyOf(Theta), null);
        _ = Step(start, First, 0, Settings(0.5, 0.25, 0.5), out _);
        Assert.Equal(Theta, start.Parameters.Span.ToArray());
    }
}
