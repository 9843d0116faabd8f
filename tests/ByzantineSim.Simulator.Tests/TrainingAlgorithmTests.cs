using ByzantineSim.Clients.Compression;

namespace ByzantineSim.Simulator.Tests;

/// <summary>FedAvg, partial participation, compression and privacy through the real actors.</summary>
public sealed class TrainingAlgorithmTests() : SimulatorFixture("training-tests")
{
    // FedAvg's local phase of these tests: three steps at 0.2, no worker momentum.
    private static TrainingSettings ThreeLocalSteps(TrainingSettings t) =>
        t with { Algorithm = LocalMode.LocalSteps, LocalSteps = 3, LocalLearningRate = 0.2, WorkerMomentum = 0 };

    private static void AssertLearned(RunResult result) =>
        Assert.True(result.Final.TestAccuracy > result.Evaluations[0].TestAccuracy + 0.2,
            $"accuracy went from {result.Evaluations[0].TestAccuracy} to {result.Final.TestAccuracy}");

    [Fact]
    public async Task FedAvg_PartialParticipation_SamplesTheFractionAndLearns()
    {
        var setup = TinyRun.Setup("mean", honest: 20, byzantine: 0, rounds: 15, training: t => ThreeLocalSteps(t) with
        {
            Participation = 0.25,
            LearningRate = LearningRateSchedule.Constant(1.0),
        });
        var result = await Simulator.RunAsync(setup);
        Assert.All(result.Rounds, r => Assert.Equal((5, 5), (r.Sampled, r.Aggregated)));
        Assert.Equal(20 * 15 / 4, result.Clients.Sum(c => c.Count(ReplyOutcome.Accepted)));
        AssertLearned(result);
    }

    [Fact]
    public async Task FedAvg_SendModel_AveragesModelsAndLearns()
    {
        var setup = TinyRun.Setup("mean", honest: 8, byzantine: 0, rounds: 15, training: t => ThreeLocalSteps(t) with { SendModel = true });
        AssertLearned(await Simulator.RunAsync(setup));
    }

    [Fact]
    public async Task PartialParticipation_WithByzantine_OnlySampledIdentitiesAct()
    {
        var attack = Attacks.BuiltInAttacks.Create("gaussian", new Attacks.AttackPopulation(12, 2));
        var setup = TinyRun.Setup("cge", attack, honest: 10, byzantine: 2, rounds: 10, training: t => t with { Participation = 0.5 });
        var result = await Simulator.RunAsync(setup);
        Assert.All(result.Rounds, r => Assert.Equal((6, 6, 0), (r.Sampled, r.Aggregated, r.Missing)));

        // Every Byzantine identity replied exactly in the rounds the spec's seed sampled it.
        var sampled = Enumerable.Range(0, 10).SelectMany(round => Setup.RunContext.ParticipantsOf(setup, round)).ToList();
        Assert.All(result.Clients, c => Assert.Equal(sampled.Count(id => id == c.ClientId), c.Count(ReplyOutcome.Accepted)));
        Assert.Contains(result.Clients, c => c.Byzantine && c.Count(ReplyOutcome.Accepted) > 0);
    }

    [Fact]
    public async Task TopKCompression_RecordsBitsAndStillLearns()
    {
        var setup = TinyRun.Setup("mean", honest: 8, byzantine: 0, rounds: 20);
        setup = setup with { Compressor = new TopKCompressor(0.1, errorFeedback: true) };
        var result = await Simulator.RunAsync(setup);
        int d = result.Dimension;
        long perClient = (long)Math.Ceiling(0.1 * d) * (32 + (long)Math.Ceiling(Math.Log2(d)));
        Assert.All(result.Rounds, r => Assert.Equal(8 * perClient, r.BitsSent));
        AssertLearned(result);
    }

    [Fact]
    public async Task NoCompression_Records32BitsPerCoordinate()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("mean", honest: 4, byzantine: 0, rounds: 2));
        Assert.All(result.Rounds, r => Assert.Equal(4L * 32 * result.Dimension, r.BitsSent));
    }

    [Fact]
    public async Task Privacy_HugeNoise_PreventsLearning()
    {
        var noisy = TinyRun.Setup("mean", honest: 8, byzantine: 0, rounds: 15) with { Privacy = new ClientPrivacy(0.1, 100) };
        var result = await Simulator.RunAsync(noisy);
        Assert.True(result.Final.TestAccuracy < result.Evaluations[0].TestAccuracy + 0.2);
    }
}
