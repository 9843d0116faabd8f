using ByzantineSim.Clients.Compression;
using ByzantineSim.Simulator.Participants;

namespace ByzantineSim.Simulator.Tests;

/// <summary>DGC in a client's round (<see cref="ClientState.Prepare"/>) and through the real actors.</summary>
public sealed class DgcClientTests
{
    private static readonly TrainingSettings Training = new(5, 8, LearningRateSchedule.Constant(0.1), 0, 0.9, MomentumForm.Sum, 0, 5);

    private static float[] Gradient(int round) =>
        [.. Enumerable.Range(0, 16).Select(i => (float)Math.Sin((round * 16) + (i * 1.7)) * (1 + (i % 3)))];

    [Fact]
    public void WithoutMaskingClippingOrWarmup_DgcIsWorkerMomentumThenTopKWithErrorFeedback()
    {
        // Momentum correction is exactly momentum before the accumulation: the old pipeline,
        // bit for bit, once the features that differ are off.
        var dgc = new DgcCompressor(0.25, 0, momentumMasking: false, 0);
        var topk = new TopKCompressor(0.25, errorFeedback: true);
        var a = new ClientState(0, [.. Enumerable.Range(0, 40)], 3, null);
        var b = a;
        for (int round = 0; round < 6; round++)
        {
            var zero = VectorPayload.CopyOf(new float[16]);
            (a, var sentA, long bitsA) = a.Prepare(round, VectorPayload.CopyOf(Gradient(round)), zero, Training, dgc, null);
            (b, var sentB, long bitsB) = b.Prepare(round, VectorPayload.CopyOf(Gradient(round)), zero, Training, topk, null);
            Assert.Equal(bitsB, bitsA);
            Assert.Equal(sentB.Span.ToArray(), sentA.Span.ToArray());
        }
    }

    [Fact]
    public void Masking_ChangesWhatIsSentLater()
    {
        var masked = new ClientState(0, [.. Enumerable.Range(0, 40)], 3, null);
        var unmasked = masked;
        bool differed = false;
        for (int round = 0; round < 6; round++)
        {
            var zero = VectorPayload.CopyOf(new float[16]);
            (masked, var a, _) = masked.Prepare(round, VectorPayload.CopyOf(Gradient(round)), zero, Training, new DgcCompressor(0.25, 0, true, 0), null);
            (unmasked, var b, _) = unmasked.Prepare(round, VectorPayload.CopyOf(Gradient(round)), zero, Training, new DgcCompressor(0.25, 0, false, 0), null);
            differed |= !a.Span.SequenceEqual(b.Span);
        }

        Assert.True(differed);
    }

    [Fact]
    public void Warmup_FollowsTheClientsEpoch()
    {
        // 40 samples in batches of 8: 5 rounds per epoch; epoch 0 keeps 25%, epoch 1 6.25% of 16.
        var dgc = new DgcCompressor(0.0625, 4, true, 0);
        var state = new ClientState(0, [.. Enumerable.Range(0, 40)], 3, null);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1], Enumerable.Range(0, 7).Select(r => state.Epoch(r, Training)));
        var counts = new List<int>();
        for (int round = 0; round < 7; round++)
        {
            (state, var sent, long bits) = state.Prepare(round, VectorPayload.CopyOf(Gradient(round)), VectorPayload.CopyOf(new float[16]), Training, dgc, null);
            counts.Add(sent.Span.ToArray().Count(x => x != 0));
            Assert.Equal(counts[^1] * (32 + 4), bits);
        }

        Assert.Equal([4, 4, 4, 4, 4, 1, 1], counts);
    }

    [Fact]
    public async Task Run_IsByteIdenticalAcrossTrainerCounts_AndRecordsBits()
    {
        var setup = TinyRun.Setup("median", honest: 6, byzantine: 0, rounds: 12, workerMomentum: 0.9) with
        {
            Compressor = new DgcCompressor(0.01, 1, true, 5),
        };
        RunResult one, two;
        await using (var simulator = SimulatorSystem.Create(trainers: 1, name: "dgc-one"))
        {
            one = await simulator.RunAsync(setup);
        }

        await using (var simulator = SimulatorSystem.Create(trainers: 2, name: "dgc-two"))
        {
            two = await simulator.RunAsync(setup);
        }

        Assert.Equal(one.Rounds.Select(r => (r.TrainLoss, r.BitsSent)), two.Rounds.Select(r => (r.TrainLoss, r.BitsSent)));
        Assert.Equal(one.Final.TestAccuracy, two.Final.TestAccuracy);

        // 1200 samples over 6 clients in batches of 16: 12 rounds per epoch, all in the warm-up (25% kept).
        int d = one.Dimension;
        long perClient = (long)Math.Ceiling(0.25 * d) * (32 + (long)Math.Ceiling(Math.Log2(d)));
        Assert.All(one.Rounds, r => Assert.Equal(6 * perClient, r.BitsSent));
    }
}
