using System.Collections.Immutable;
using ByzantineSim.Simulator.Server;

namespace ByzantineSim.Experiments.Tests.Results;

/// <summary>metrics.csv gains the attack success rate as its last column only for runs that measured it.</summary>
public sealed class MetricsFileTests
{
    private static string Metrics(bool attackSuccess)
    {
        var run = SweepLoader.Parse("sweep: metrics\nbase:\n  training: { rounds: 2, eval_every: 2 }\n", "metrics.yaml").Runs[0];
        ImmutableArray<RoundRecord> rounds = [new(0, 1.5, 3, 0, 0, false, 0, 0), new(1, 0.5, 3, 0, 0, false, 0, 0)];
        ImmutableArray<EvaluationRecord> evaluations =
        [
            new(0, double.NaN, 0.25, 2, 0, 0) { AttackSuccessRate = 0.125 },
            new(2, 1, 0.75, 0.5, 0, 0) { AttackSuccessRate = 0.875 },
        ];
        var result = new RunResult(run.Id, 4, rounds, evaluations, [], TimeSpan.FromSeconds(1)) { HasAttackSuccess = attackSuccess };
        return ResultsStore.Render(run, result).Single(f => f.Name == ResultsStore.MetricsFile).Content;
    }

    [Fact]
    public void Render_TargetedRun_AddsTheSuccessRateAsLastColumn() =>
        Assert.Equal(
            "round,train_loss,test_accuracy,test_loss,aggregated,attack_success_rate\n0,NaN,0.25,2,0,0.125\n2,1,0.75,0.5,3,0.875\n",
            Metrics(attackSuccess: true));

    [Fact]
    public void Render_UntargetedRun_KeepsTheColumnsItAlwaysHad() =>
        Assert.Equal("round,train_loss,test_accuracy,test_loss,aggregated\n0,NaN,0.25,2,0\n2,1,0.75,0.5,3\n", Metrics(attackSuccess: false));
}
