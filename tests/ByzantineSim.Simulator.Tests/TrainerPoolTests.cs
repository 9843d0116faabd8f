using Akka.Actor;
using ByzantineSim.Aggregators.Numerics;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Tests;

/// <summary>The work-pulling trainer pool: every request answered once, failures contained, results independent of the trainer.</summary>
public class TrainerPoolTests
{
    [Fact]
    public async Task ManyRequests_EachAnsweredOnce_AFailureDoesNotStopThePool()
    {
        await using var simulator = SimulatorSystem.Create(2, "trainer-pool");
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 3, Features: 5, TrainSize: 200, TestSize: 100, Seed: 1));
        var model = ModelKey.For(new LogisticRegression(), "logistic", data.Train.SampleShape, 3);
        using var runner = new ModelRunner(model.Definition, data.Train.SampleShape, 3);
        var parameters = VectorPayload.TakeOwnership(runner.InitialParameters(2));
        var inbox = Inbox.Create(simulator.System);
        for (int tag = 0; tag < 12; tag++)
        {
            // Tag 5 carries parameters of the wrong length: its trainer reports the failure and lives on.
            var payload = tag == 5 ? VectorPayload.Zeros(3) : parameters;
            inbox.Send(simulator.Trainers, new EvaluateModel(model, payload, data.Test, 10 * (tag % 4), 10, tag));
        }

        var replies = new List<object>();
        for (int k = 0; k < 12; k++)
        {
            replies.Add(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(t => (long)t), replies.Select(Tag).Order());
        var failed = Assert.Single(replies.OfType<ComputationFailed>());
        Assert.Equal(5, failed.Tag);

        // The same part of the test set gives the same sums whichever trainer computed it.
        foreach (var group in replies.OfType<ModelEvaluated>().GroupBy(r => r.Tag % 4))
        {
            Assert.Single(group.Select(r => r.Sums).Distinct());
        }

        inbox.Send(simulator.Trainers, new EvaluateModel(model, parameters, data.Test, 0, 100, 99));
        Assert.Equal(99, Tag(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public async Task GradientsQueuedTogether_ComputedInOnePass_HaveTheBitsOfEachAlone()
    {
        // One trainer: while it computes the first request, the other eleven queue up and go out
        // as one stacked pass.
        await using var simulator = SimulatorSystem.Create(1, "trainer-pool-groups");
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 4, Features: 300, TrainSize: 400, TestSize: 10, Seed: 3));
        var model = ModelKey.For(new MultiLayerPerceptron([64]), "mlp", data.Train.SampleShape, 4);
        using var runner = new ModelRunner(model.Definition, data.Train.SampleShape, 4);
        var parameters = VectorPayload.TakeOwnership(runner.InitialParameters(5));
        var works = Enumerable.Range(0, 12)
            .Select(k => new LocalWork(LocalMode.Gradient, [[.. Enumerable.Range(k * 20, 16)]], 0, k % 2 == 0 ? 0.05 : 0, null, null))
            .ToList();
        var inbox = Inbox.Create(simulator.System);
        for (int tag = 0; tag < works.Count; tag++)
        {
            inbox.Send(simulator.Trainers, new ComputeGradient(model, parameters, data.Train, works[tag], tag));
        }

        var replies = new List<GradientComputed>();
        for (int k = 0; k < works.Count; k++)
        {
            replies.Add(Assert.IsType<GradientComputed>(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30))));
        }

        // A stacked pass reports its time shared equally among its requests.
        Assert.True(replies.GroupBy(r => r.Seconds).Any(g => g.Count() > 1), "no two gradients shared a pass");
        foreach (var reply in replies)
        {
            var alone = new float[runner.ParameterCount];
            double loss = runner.Run(parameters.Span, data.Train, works[(int)reply.Tag], alone);
            Assert.True(alone.AsSpan().SequenceEqual(reply.Gradient.Span), $"request {reply.Tag} (clipped: {works[(int)reply.Tag].ClipNorm > 0})");
            Assert.Equal(loss, reply.Loss);
        }
    }

    [Fact]
    public async Task GradientWithADestination_IsWrittenThere_AloneOrInAStackedPass()
    {
        await using var simulator = SimulatorSystem.Create(1, "trainer-pool-destinations");
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 4, Features: 50, TrainSize: 200, TestSize: 10, Seed: 4));
        var model = ModelKey.For(new MultiLayerPerceptron([16]), "mlp", data.Train.SampleShape, 4);
        using var runner = new ModelRunner(model.Definition, data.Train.SampleShape, 4);
        int d = runner.ParameterCount;
        var parameters = VectorPayload.TakeOwnership(runner.InitialParameters(6));
        var matrix = new float[6 * d];
        var inbox = Inbox.Create(simulator.System);
        var works = Enumerable.Range(0, 6).Select(k => new LocalWork(LocalMode.Gradient, [[.. Enumerable.Range(k * 10, 8)]], 0, 0, null, null)).ToList();
        for (int tag = 0; tag < works.Count; tag++)
        {
            // Odd tags have no destination (wrong length counts as none): a pooled buffer.
            var destination = tag % 2 == 0 ? matrix.AsMemory(tag * d, d) : matrix.AsMemory(tag * d, d - 1);
            inbox.Send(simulator.Trainers, new ComputeGradient(model, parameters, data.Train, works[tag], tag) { Destination = destination });
        }

        for (int k = 0; k < works.Count; k++)
        {
            var reply = Assert.IsType<GradientComputed>(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
            int tag = (int)reply.Tag;
            var alone = new float[d];
            runner.Run(parameters.Span, data.Train, works[tag], alone);
            Assert.True(alone.AsSpan().SequenceEqual(reply.Gradient.Span));
            Assert.Equal(tag % 2 == 0, reply.Gradient.Occupies(matrix.AsSpan(tag * d, d)));
        }
    }

    [Fact]
    public async Task GradientSubmittedForAClient_RepliesItsUpdateOrItsFailure_CheckedForNaN()
    {
        await using var simulator = SimulatorSystem.Create(2, "trainer-pool-submit");
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 3, Features: 20, TrainSize: 100, TestSize: 10, Seed: 5));
        var model = ModelKey.For(new MultiLayerPerceptron([8]), "mlp", data.Train.SampleShape, 3);
        using var runner = new ModelRunner(model.Definition, data.Train.SampleShape, 3);
        var parameters = VectorPayload.TakeOwnership(runner.InitialParameters(7));
        var poisoned = VectorPayload.TakeOwnership([.. parameters.Span.ToArray().Select((v, k) => k == 0 ? float.NaN : v)]);
        var work = new LocalWork(LocalMode.Gradient, [[.. Enumerable.Range(0, 8)]], 0, 0, null, null);
        var inbox = Inbox.Create(simulator.System);
        inbox.Send(simulator.Trainers, new ComputeGradient(model, parameters, data.Train, work, 4) { SubmitFor = 17 });
        inbox.Send(simulator.Trainers, new ComputeGradient(model, poisoned, data.Train, work, 4) { SubmitFor = 18 });
        inbox.Send(simulator.Trainers, new ComputeGradient(model, parameters, data.Train, work with { Batches = [[100_000]] }, 4) { SubmitFor = 19 });
        var replies = new List<object>();
        for (int k = 0; k < 3; k++)
        {
            replies.Add(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        var updates = replies.OfType<UpdateSubmitted>().OrderBy(u => u.ClientId).ToList();
        Assert.Equal([17, 18], updates.Select(u => u.ClientId));
        Assert.All(updates, u => Assert.Equal(4, u.Round));
        var alone = new float[runner.ParameterCount];
        double loss = runner.Run(parameters.Span, data.Train, work, alone);
        Assert.True(alone.AsSpan().SequenceEqual(updates[0].Update.Span));
        Assert.Equal(loss, updates[0].Loss);
        Assert.Equal(32L * runner.ParameterCount, updates[0].Bits);
        Assert.True(updates[0].Update.IsFinite());
        Assert.False(updates[1].Update.IsFinite());
        var failed = Assert.Single(replies.OfType<UpdateFailed>());
        Assert.Equal((4, 19), (failed.Round, failed.ClientId));
    }

    private static long Tag(object reply) => reply switch
    {
        ModelEvaluated evaluated => evaluated.Tag,
        ComputationFailed failed => failed.Tag,
        _ => throw new InvalidOperationException(reply.GetType().Name),
    };

    [Fact]
    public void TailIdle_CountsTrainersWaitingForTheSlowestOnly()
    {
        var clock = new ManualClock();
        var work = new WorkQueue(2, clock);
        var request = new PendingRequest(new object(), ActorRefs.Nobody);

        // Nothing to do and nobody computing: idle, but not a tail.
        clock.Advance(5);
        Assert.Equal(0, work.TailIdleSeconds);

        work.Add(request);
        work.Add(request);
        work.Add(request);
        Assert.NotNull(work.TryTake()); // trainer A
        Assert.NotNull(work.TryTake()); // trainer B
        clock.Advance(1);
        Assert.NotNull(work.TryTake(finishedOne: true)); // A takes the third
        clock.Advance(1);
        Assert.Null(work.TryTake(finishedOne: true)); // B finds nothing: its wait starts
        clock.Advance(3);
        Assert.Equal(3, work.TailIdleSeconds, 9);
        Assert.Null(work.TryTake(finishedOne: true)); // A done: nobody computes, the wait ends
        clock.Advance(10);
        Assert.Equal(3, work.TailIdleSeconds, 9);

        // A request while one trainer computes: no tail while it waits in the queue.
        work.Add(request);
        Assert.NotNull(work.TryTake());
        work.Add(request);
        clock.Advance(2);
        Assert.Equal(3, work.TailIdleSeconds, 9);
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(double seconds) => _ticks += (long)(seconds * TimeSpan.TicksPerSecond);
    }
}
