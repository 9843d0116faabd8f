using System.Collections.Immutable;
using ByzantineSim.Aggregators.Gossip;
using ByzantineSim.Simulator.Peers;
using ByzantineSim.Simulator.Server;

namespace ByzantineSim.Experiments.Tests.Results;

/// <summary>bristle.csv: one row per selected sender of every honest peer and round, written only when the run has such records.</summary>
public sealed class BristleFileTests
{
    private static IEnumerable<(string Name, string Content)> Files(ImmutableArray<BristleWeightRecord> weights)
    {
        var run = SweepLoader.Parse("sweep: bristle\nbase:\n  training: { rounds: 1, eval_every: 1 }\n", "bristle.yaml").Runs[0];
        ImmutableArray<RoundRecord> rounds = [new(0, 1.5, 3, 0, 0, false, 0, 0)];
        ImmutableArray<EvaluationRecord> evaluations = [new(0, double.NaN, 0.25, 2, 0, 0), new(1, 1, 0.75, 0.5, 0, 0)];
        var result = new RunResult(run.Id, 4, rounds, evaluations, [], TimeSpan.FromSeconds(1)) { BristleWeights = weights };
        return ResultsStore.Render(run, result).Select(f => (f.Name, f.Content));
    }

    [Fact]
    public void Render_BristleRun_WritesEverySelectedSendersWeights()
    {
        ImmutableArray<BristleWeightRecord> weights =
        [
            new(0, 1, 2, false, new BristleSenderWeight(0, 0.75, 0.5, 0.25, 1.5, 2)),
            new(0, 1, 7, true, new BristleSenderWeight(1, 0.75, double.NaN, 0, 0, 0)),
        ];
        var file = Files(weights).Single(f => f.Name == ResultsStore.BristleFile).Content;
        Assert.Equal(
            "round,peer,sender,byzantine,own_f1,sender_f1,certainty,familiar_weight,foreign_weight\n0,1,2,0,0.75,0.5,0.25,1.5,2\n0,1,7,1,0.75,NaN,0,0,0\n",
            file);
    }

    [Fact]
    public void Render_OtherRuns_WriteNoBristleFile() =>
        Assert.DoesNotContain(Files([]), f => f.Name == ResultsStore.BristleFile);
}
