using ByzantineSim.Simulator.Participants;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// MUD-HoG's unreliable clients as its reference code trains them (<c>Unreliable_client.train</c>):
/// each local step taken with probability <c>train_fraction</c> and each taken batch degraded with
/// probability <c>degraded_fraction</c>, seeded, and nothing changed when both are 1.
/// </summary>
public class UnreliableStepsTests
{
    private const int Steps = 5;
    private const int Rounds = 400;

    private static readonly TrainingSettings FedAvg =
        new TrainingSettings(Rounds, 8, LearningRateSchedule.Constant(0.1), 0, 0, MomentumForm.Average, 0, 5) { Algorithm = LocalMode.LocalSteps, LocalSteps = Steps };

    private static readonly ClientState Plain = new(0, [.. Enumerable.Range(100, 200)], 9, null);

    [Fact]
    public void TrainFraction03_TakesAbout30PercentOfTheSteps_OnTheUsualBatchesInOrder()
    {
        var unreliable = Plain with { UnreliableSteps = new UnreliableSteps(0.3, 1, 77) };
        int taken = 0, emptyRounds = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var usual = Plain.Work(round, FedAvg, null).Batches.Select(b => string.Join(",", b)).ToList();
            var kept = unreliable.Work(round, FedAvg, null).Batches.Select(b => string.Join(",", b)).ToList();

            // A subsequence of the usual batches: skipped steps consume their batch, as the reference's loader does.
            int next = 0;
            foreach (string batch in kept)
            {
                next = usual.IndexOf(batch, next) + 1;
                Assert.True(next > 0, $"round {round}: a kept batch is not one of the usual ones, in order");
            }

            taken += kept.Count;
            emptyRounds += kept.Count == 0 ? 1 : 0;
        }

        // 2000 Bernoulli(0.3) draws: the share has standard deviation 0.010; 0.7^5 = 17% of rounds take no step.
        Assert.InRange(taken / (double)(Rounds * Steps), 0.26, 0.34);
        Assert.InRange(emptyRounds, 40, 100);
    }

    [Fact]
    public void TrainFraction_IsAPureFunctionOfTheSeed()
    {
        string Pattern(ulong seed) => string.Join("|", Enumerable.Range(0, 50).Select(r =>
            (Plain with { UnreliableSteps = new UnreliableSteps(0.3, 1, seed) }).Work(r, FedAvg, null).Batches.Length));
        Assert.Equal(Pattern(77), Pattern(77));
        Assert.NotEqual(Pattern(77), Pattern(78));
    }

    [Fact]
    public void DegradedFraction05_DegradesAboutHalfTheBatches_TakingEveryStep()
    {
        var blur = new Degradation(DegradationKind.Blur, 1.4, 3);
        var state = Plain with { Degradation = blur, UnreliableSteps = new UnreliableSteps(1, 0.5, 77) };
        int degraded = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var work = state.Work(round, FedAvg, null);
            Assert.Equal(Plain.Work(round, FedAvg, null).Batches.Select(b => b.ToArray()), work.Batches.Select(b => b.ToArray()));
            for (int step = 0; step < Steps; step++)
            {
                var batch = work.BatchAt(step).Degradation;
                Assert.True(batch is null || ReferenceEquals(batch, blur));
                degraded += batch is null ? 0 : 1;
            }
        }

        // 2000 Bernoulli(0.5) draws: standard deviation 0.011.
        Assert.InRange(degraded / (double)(Rounds * Steps), 0.45, 0.55);
    }

    [Fact]
    public void DefaultFractions_NoDraws_EveryBatchDegraded()
    {
        var settings = new UnreliableSettings(2, 0, DegradationKind.Blur, 1.4);
        Assert.Null(settings.StepsFor(0, 5));
        Assert.NotNull((settings with { TrainFraction = 0.3 }).StepsFor(0, 5));
        var blur = new Degradation(DegradationKind.Blur, 1.4, 3);
        var work = (Plain with { Degradation = blur }).Work(3, FedAvg, null);
        Assert.Equal(Steps, work.Batches.Length);
        Assert.All(Enumerable.Range(0, Steps), step => Assert.Same(blur, work.BatchAt(step).Degradation));
    }

    [Fact]
    public async Task Run_UnreliableWithFractions_RecordsIdenticalOnOneOrTwoTrainers_AndDifferFromTheDefault()
    {
        var unreliable = new UnreliableSettings(2, 0, DegradationKind.Noise, 0.5) { TrainFraction = 0.3, DegradedFraction = 0.5 };
        var setup = TinyRun.Setup("median", rounds: 6, training: t => t with { Algorithm = LocalMode.LocalSteps, LocalSteps = 3 }) with { Unreliable = unreliable };
        var ids = unreliable.Clients(setup.HonestClients, setup.Seed);
        Assert.Equal(2, ids.Length);

        async Task<string> Records(RunSetup run, int trainers)
        {
            await using var simulator = SimulatorSystem.Create(trainers, $"unreliable-steps-{trainers}-{(run.Unreliable!.TrainFraction < 1 ? "drawn" : "all")}");
            var result = await simulator.RunAsync(run);
            return string.Join(";", result.Rounds.Select(r => $"{r.Round},{r.TrainLoss:R}"))
                + "|" + string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TestAccuracy:R},{e.TestLoss:R}"));
        }

        string once = await Records(setup, 1);
        Assert.Equal(once, await Records(setup, 2));
        Assert.NotEqual(once, await Records(setup with { Unreliable = unreliable with { TrainFraction = 1, DegradedFraction = 1 } }, 1));
    }
}
