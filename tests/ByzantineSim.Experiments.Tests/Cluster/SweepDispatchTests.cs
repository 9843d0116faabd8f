using ByzantineSim.Experiments.Cluster;

namespace ByzantineSim.Experiments.Tests.Cluster;

public sealed class SweepDispatchTests
{
    private static readonly string[] Runs = ["r1", "r2", "r3", "r4", "r5"];

    [Fact]
    public void Assign_TwoWorkers_FillsEachUpToItsCapacityInQueueOrder()
    {
        var state = SweepDispatch.Start(Runs).AddWorker("a", 2).AddWorker("b", 1);
        (state, var assigned) = state.Assign();

        Assert.Equal([("r1", "a"), ("r2", "a"), ("r3", "b")], assigned.ToArray());
        Assert.Equal(["r4", "r5"], state.Pending);
        Assert.Empty(state.Assign().Assigned.ToArray()); // every slot is taken
    }

    [Fact]
    public void RemoveWorker_WithRunsInFlight_RequeuesThemFirst()
    {
        var (state, _) = SweepDispatch.Start(Runs).AddWorker("a", 2).AddWorker("b", 1).Assign();
        (state, var requeued) = state.RemoveWorker("a");

        Assert.Equal(["r1", "r2"], requeued.ToArray());
        Assert.Equal(["r1", "r2", "r4", "r5"], state.Pending);
        Assert.Equal(["r3"], state.InFlight.Keys);
        (state, var assigned) = state.Assign();
        Assert.Empty(assigned); // b is still busy with r3
        (state, _) = state.Finish("r3", "b");
        Assert.Equal([("r1", "b")], state.Assign().Assigned.ToArray());
    }

    [Fact]
    public void Finish_SameRunTwice_RecordsItOnce()
    {
        var (state, _) = SweepDispatch.Start(Runs).AddWorker("a", 5).Assign();
        (state, var first) = state.Finish("r2", "a");
        (state, var second) = state.Finish("r2", "a");

        Assert.Equal(ResultDecision.Record, first);
        Assert.Equal(ResultDecision.Duplicate, second);
        Assert.Contains("r2", state.Done);
    }

    [Fact]
    public void Finish_LostWorkerReportsLateAfterRequeue_RecordedOnceAndNotRunAgain()
    {
        // a takes r1, is declared lost, r1 goes to b; a's result still arrives (a slow, not dead, worker).
        var (state, _) = SweepDispatch.Start(["r1", "r2"]).AddWorker("a", 1).Assign();
        (state, _) = state.RemoveWorker("a");
        (state, _) = state.AddWorker("b", 1).Assign();
        Assert.Equal("b", state.InFlight["r1"]);

        (state, var late) = state.Finish("r1", "a");
        Assert.Equal(ResultDecision.Record, late);
        Assert.Equal("b", state.InFlight["r1"]); // b keeps its slot until it reports
        Assert.False(state.IsFinished);

        (state, var fromB) = state.Finish("r1", "b");
        Assert.Equal(ResultDecision.Duplicate, fromB);
        (state, var assigned) = state.Assign();
        Assert.Equal([("r2", "b")], assigned.ToArray());
        (state, _) = state.Finish("r2", "b");
        Assert.True(state.IsFinished);
        Assert.Equal(2, state.Done.Count);
    }

    [Fact]
    public void RemoveWorker_HoldingARunAnotherWorkerFinished_DoesNotRequeueIt()
    {
        var (state, _) = SweepDispatch.Start(["r1"]).AddWorker("a", 1).Assign();
        (state, _) = state.RemoveWorker("a");
        (state, _) = state.AddWorker("b", 1).Assign();
        (state, _) = state.Finish("r1", "a"); // a's late result is recorded
        (state, var requeued) = state.RemoveWorker("b");

        Assert.Empty(requeued);
        Assert.True(state.IsFinished);
    }

    [Fact]
    public void Finish_ResultForARunStillQueued_TakesItOutOfTheQueue()
    {
        // A requeued run whose first worker reports before anyone else takes it.
        var (state, _) = SweepDispatch.Start(["r1", "r2"]).AddWorker("a", 1).Assign();
        (state, _) = state.RemoveWorker("a");
        (state, var decision) = state.Finish("r1", "a");

        Assert.Equal(ResultDecision.Record, decision);
        Assert.Equal(["r2"], state.Pending);
    }

    [Fact]
    public void AddWorker_ZeroCapacity_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SweepDispatch.Start(Runs).AddWorker("a", 0));
}
