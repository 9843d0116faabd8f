using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Tests;

/// <summary>A trainer pool that cannot be created fails the run that needs it, instead of leaving it waiting.</summary>
public sealed class TrainerPoolStartupTests
{
    [Fact]
    public async Task RunAsync_TrainerThreadCannotStart_FailsWithTheReason()
    {
        // The seam stands for pthread_create failing under memory pressure (observed: the third
        // of 2000 pinned trainer threads under an 8 GB address-space limit threw OutOfMemoryException).
        await using var simulator = SimulatorSystem.Create(3, "pool-cannot-start", startTrainer: (context, index, work) =>
            index == 2 ? throw new OutOfMemoryException("thread failed to start") : TrainerPool.StartTrainer(context, index, work));

        var error = await Assert.ThrowsAsync<TrainerPoolException>(() => simulator.RunAsync(TinyRun.Setup()));
        Assert.Equal("could not start trainer 3 of 3: thread failed to start; use fewer trainers (--trainers)", error.Message);
    }

    [Fact]
    public async Task RunAsync_EveryTrainerStarts_Completes()
    {
        await using var simulator = SimulatorSystem.Create(3, "pool-starts", startTrainer: TrainerPool.StartTrainer);
        var result = await simulator.RunAsync(TinyRun.Setup());
        Assert.True(result.Rounds.Length > 0);
    }
}
