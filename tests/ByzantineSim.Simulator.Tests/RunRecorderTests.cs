namespace ByzantineSim.Simulator.Tests;

/// <summary>The run's bookkeeping as pure state: rounds close in order, evaluations return in any order.</summary>
public class RunRecorderTests
{
    private static RoundRecord Round(int round, double trainLoss) => new(round, trainLoss, 3, 0, 0, false, 0, 0);

    private static RunRecorder FourRounds()
    {
        var recorder = new RunRecorder();
        double[] losses = [4, 2, double.NaN, 1];
        for (int r = 0; r < 4; r++)
        {
            recorder.RoundClosed(Round(r, losses[r]), new Dictionary<int, ReplyOutcome> { [0] = ReplyOutcome.Accepted, [1] = r == 3 ? ReplyOutcome.Missing : ReplyOutcome.Accepted }, 10.0 * (r + 1));
        }

        return recorder;
    }

    private static RunResult Build(RunRecorder recorder) =>
        recorder.Build("run", 5, [(0, false, [1, 2]), (1, true, [3, 0]), (2, false, [0, 0])], TimeSpan.FromSeconds(1));

    [Fact]
    public void Evaluations_ReturnedOutOfOrder_AreRecordedInRoundOrder()
    {
        var recorder = FourRounds();
        recorder.Evaluated(4, false, 0.75, 0.5, 0.1);
        recorder.Evaluated(2, false, 0.5, 1.0, 0.2);
        Assert.Equal([2, 4], Build(recorder).Evaluations.Select(e => e.Round));
        Assert.Equal(0.75, recorder.LastAccuracy);
    }

    [Fact]
    public void EvaluationTrainLoss_IsTheMeanOfItsIntervalsFiniteRoundLosses()
    {
        // Evaluation after 2 rounds: mean of rounds 0-1 = (4 + 2) / 2 = 3. After 4: rounds 2-3,
        // round 2's NaN left out, = 1. Its time is when round 3 closed (40 s).
        var recorder = FourRounds();
        recorder.Evaluated(2, false, 0.5, 1.0, 0.2);
        recorder.Evaluated(4, false, 0.75, 0.5, 0.1);
        var evaluations = Build(recorder).Evaluations;
        Assert.Equal((3.0, 20.0), (evaluations[0].TrainLoss, evaluations[0].ElapsedSeconds));
        Assert.Equal((1.0, 40.0), (evaluations[1].TrainLoss, evaluations[1].ElapsedSeconds));
    }

    [Fact]
    public void Validation_IsAttachedToItsRound()
    {
        var recorder = FourRounds();
        recorder.Evaluated(4, true, 0.6, 0.9, 0.1);
        recorder.Evaluated(4, false, 0.75, 0.5, 0.1);
        var result = Build(recorder);
        Assert.True(result.HasValidation);
        Assert.Equal((0.6, 0.9), (result.Final.ValidationAccuracy, result.Final.ValidationLoss));
    }

    [Fact]
    public void AttackSuccess_IsAttachedToItsRound_AndOnlyThen()
    {
        var recorder = FourRounds();
        recorder.Evaluated(2, false, 0.5, 1.0, 0.2);
        recorder.Evaluated(4, false, 0.75, 0.5, 0.1);
        Assert.False(Build(recorder).HasAttackSuccess);
        Assert.True(double.IsNaN(Build(recorder).Final.AttackSuccessRate));

        recorder.AttackMeasured(4, 0.875);
        recorder.AttackMeasured(2, 0.125);
        var result = Build(recorder);
        Assert.True(result.HasAttackSuccess);
        Assert.Equal([0.125, 0.875], result.Evaluations.Select(e => e.AttackSuccessRate));
        Assert.Equal(0.75, result.Final.TestAccuracy); // the success rate is not the accuracy
    }

    [Fact]
    public void Outcomes_AreCountedPerClient_LateRepliesIncluded()
    {
        var recorder = FourRounds();
        recorder.Late(1);
        var clients = Build(recorder).Clients;
        Assert.Equal(4, clients[0].Count(ReplyOutcome.Accepted));
        Assert.Equal((3, 1, 1), (clients[1].Count(ReplyOutcome.Accepted), clients[1].Count(ReplyOutcome.Missing), clients[1].Count(ReplyOutcome.Late)));
        Assert.True(clients[1].Byzantine);
        Assert.Empty(clients[2].Outcomes);
        Assert.Equal([1, 2], clients[0].ClassHistogram.ToArray());
    }
}
