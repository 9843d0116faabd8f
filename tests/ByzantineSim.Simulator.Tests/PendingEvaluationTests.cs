namespace ByzantineSim.Simulator.Tests;

/// <summary>An evaluation split into parts, completed by trainers in any order.</summary>
public class PendingEvaluationTests
{
    [Fact]
    public void Parts_CoverTheSamplesInFixedSizes()
    {
        var pending = new PendingEvaluation(4, validation: false, samples: 2500, regression: false);
        Assert.Equal(3, pending.PartCount);
        Assert.Equal([(0, 1000), (1000, 1000), (2000, 500)], Enumerable.Range(0, 3).Select(pending.Range));
    }

    [Fact]
    public void NoSamples_StillOnePart()
    {
        Assert.Equal(1, new PendingEvaluation(0, false, 0, false).PartCount);
    }

    [Fact]
    public void Complete_ArrivalOrderDoesNotMatter_SumsAddInPartOrder()
    {
        // In double, (1e16 + 1) - 1e16 = 0 but (1e16 - 1e16) + 1 = 1: only the part order gives 0.
        EvaluationSums[] parts = [new(1e16, 600, 1000), new(1, 700, 1000), new(-1e16, 300, 500)];
        var pending = new PendingEvaluation(4, false, 2500, regression: false);
        Assert.Null(pending.Complete(2, parts[2], 0.5));
        Assert.Null(pending.Complete(0, parts[0], 0.25));
        var evaluation = pending.Complete(1, parts[1], 0.25);

        Assert.NotNull(evaluation);
        Assert.Equal(0.0, evaluation.Value.Loss);
        Assert.Equal(1600.0 / 2500, evaluation.Value.Accuracy);
        Assert.Equal(1.0, pending.Seconds);
    }

    [Fact]
    public void Complete_AFailedPart_MakesTheEvaluationNaN()
    {
        var pending = new PendingEvaluation(4, false, 1500, regression: false);
        Assert.Null(pending.Complete(0, null, 0.1));
        var evaluation = pending.Complete(1, new EvaluationSums(10, 400, 500), 0.1);
        Assert.True(double.IsNaN(evaluation!.Value.Accuracy) && double.IsNaN(evaluation.Value.Loss));
    }

    [Fact]
    public void Complete_Regression_HasNoAccuracy()
    {
        var pending = new PendingEvaluation(4, false, 10, regression: true);
        var evaluation = pending.Complete(0, new EvaluationSums(5, 0, 10), 0);
        Assert.True(double.IsNaN(evaluation!.Value.Accuracy));
        Assert.Equal(0.5, evaluation.Value.Loss);
    }
}
