using ByzantineSim.Clients.Compression;
using ByzantineSim.Simulator.Participants;

namespace ByzantineSim.Simulator.Tests;

public class ClientStateTests
{
    private static readonly TrainingSettings Plain = new(5, 8, LearningRateSchedule.Constant(0.1), 0, 0, MomentumForm.Average, 0, 5);

    [Fact]
    public void Batch_EachEpochVisitsEverySampleOnce()
    {
        var state = new ClientState(0, [.. Enumerable.Range(100, 40)], 9, null);
        var epoch = Enumerable.Range(0, 4).SelectMany(round => state.Batch(round, 10)).Order().ToList();
        Assert.Equal(Enumerable.Range(100, 40), epoch);
        Assert.NotEqual(state.Batch(0, 10).ToArray(), state.Batch(4, 10).ToArray());
    }

    [Fact]
    public void Batch_LargerThanTheClientsData_IsAllItsSamplesEveryStep()
    {
        // docs/experiments.md: a client holding fewer samples than batch_size takes a full-batch step.
        var state = new ClientState(0, [.. Enumerable.Range(100, 6)], 9, null);
        Assert.All(Enumerable.Range(0, 3), step => Assert.Equal(Enumerable.Range(100, 6), state.Batch(step, 32).Order()));
    }

    [Fact]
    public void Batch_IsAPureFunctionOfSeedAndRound()
    {
        var a = new ClientState(0, [.. Enumerable.Range(0, 100)], 1, null);
        var b = new ClientState(0, [.. Enumerable.Range(0, 100)], 1, null);
        Assert.Equal(a.Batch(17, 8).ToArray(), b.Batch(17, 8).ToArray());
    }

    [Fact]
    public void Batch_WithTheEpochKept_IsTheSameBatch_ForAnyStepOrderAndClient()
    {
        var a = new ClientState(0, [.. Enumerable.Range(0, 50)], 1, null);
        var b = new ClientState(1, [.. Enumerable.Range(50, 50)], 2, null);
        var epochs = new EpochOrders();
        foreach (int step in new[] { 0, 1, 7, 3, 12, 2, 30, 0 })
        {
            Assert.Equal(a.Batch(step, 8).ToArray(), a.Batch(step, 8, epochs).ToArray());
            Assert.Equal(b.Batch(step, 8).ToArray(), b.Batch(step, 8, epochs).ToArray());
        }

        Assert.Same(epochs.Of(a, 4), epochs.Of(a, 4));
        Assert.Equal(a.Work(9, Plain, null).Batches.Single().ToArray(), a.Work(9, Plain, null, epochs).Batches.Single().ToArray());
    }

    [Theory]
    [InlineData(MomentumForm.Average)]
    [InlineData(MomentumForm.Sum)]
    public void Momentum_InTheActorsTwoArrays_HasTheBitsOfAFreshArrayEachRound_AndKeepsEachUpdateForARound(MomentumForm form)
    {
        var training = Plain with { WorkerMomentum = 0.9, MomentumForm = form };
        var fresh = new ClientState(0, [.. Enumerable.Range(0, 10)], 3, null);
        var reused = fresh;
        var buffers = new MomentumBuffers();
        var parameters = VectorPayload.CopyOf(new float[5]);
        VectorPayload? previousUpdate = null;
        float[]? previousValues = null;
        for (int round = 0; round < 5; round++)
        {
            float[] gradient = [.. Enumerable.Range(0, 5).Select(k => MathF.Sin((round * 5) + k) * 3)];
            (fresh, var expected, _) = fresh.Prepare(round, VectorPayload.CopyOf(gradient), parameters, training, NoCompression.Instance, null);
            (reused, var update, _) = reused.Prepare(round, VectorPayload.CopyOf(gradient), parameters, training, NoCompression.Instance, null, buffers);
            Assert.Equal(expected.Span.ToArray(), update.Span.ToArray());

            // Last round's update (which the server and the coalition may still read) is intact.
            Assert.Equal(previousValues, previousUpdate?.Span.ToArray());
            (previousUpdate, previousValues) = (update, update.Span.ToArray());
        }
    }

    [Fact]
    public void Momentum_LentToARoundStillHeld_IsNotWrittenAgain_UntilThatRoundIsGivenBack()
    {
        // Round 0's momentum is the update a late coalition may still read two rounds later: while
        // round 0's lease is held, round 2 must take a fresh array; once it is given back, reuse.
        var training = Plain with { WorkerMomentum = 0.9 };
        var arena = new RoundArena();
        var state = new ClientState(0, [.. Enumerable.Range(0, 10)], 3, null);
        var buffers = new MomentumBuffers();
        var parameters = VectorPayload.CopyOf(new float[3]);
        var updates = new List<VectorPayload>();
        for (int round = 0; round < 4; round++)
        {
            var lease = arena.Open(round, Holder.Server);
            buffers.LendTo(lease);
            (state, var update, _) = state.Prepare(round, VectorPayload.CopyOf([round + 1f, 2f, 3f]), parameters, training, NoCompression.Instance, null, buffers);
            updates.Add(update);
            if (round >= 1)
            {
                arena.Let(round - 1, Holder.Server); // round 0 stays held (a coalition still crafting), except below
            }

            if (round == 0)
            {
                lease.Hold(Holder.Coalition);
            }
        }

        float[] shown = updates[0].Span.ToArray();
        Assert.NotSame(Array(updates[0]), Array(updates[2])); // round 2 did not write over round 0's update
        Assert.Equal(shown, updates[0].Span.ToArray());
        Assert.Same(Array(updates[1]), Array(updates[3])); // round 1 was given back: its array is reused in round 3

        static float[]? Array(VectorPayload payload) =>
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload.Memory, out var segment) ? segment.Array : null;
    }

    [Fact]
    public void SendsComputedGradient_ExactlyWhenPrepareSendsTheTrainersPayloadItself()
    {
        // Trainers write such a gradient straight into the server's matrix: the promise must hold.
        var plain = Plain;
        var cases = new (TrainingSettings Training, ICompressor Compressor, ClientPrivacy? Privacy)[]
        {
            (plain, NoCompression.Instance, null),
            (plain with { WorkerMomentum = 0.9 }, NoCompression.Instance, null),
            (plain with { SendModel = true }, NoCompression.Instance, null),
            (plain, new TopKCompressor(0.5, false), null),
            (plain, NoCompression.Instance, new ClientPrivacy(1, 0.1)),
            (plain with { ServerMomentum = 0.9, WeightDecay = 0.01 }, NoCompression.Instance, null),
        };
        foreach (var (training, compressor, privacy) in cases)
        {
            var state = new ClientState(0, [.. Enumerable.Range(0, 10)], 3, null);
            var computed = VectorPayload.CopyOf([1f, -2f, 3f, 0.5f]);
            var (_, update, _) = state.Prepare(2, computed, VectorPayload.CopyOf([0f, 0f, 0f, 0f]), training, compressor, privacy);
            Assert.Equal(ReferenceEquals(update, computed), ClientState.SendsComputedGradient(training, compressor, privacy));
        }
    }
}
