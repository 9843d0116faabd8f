using Akka.Actor;
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
        Assert.Contains("\n   at ", failed.Trace, StringComparison.Ordinal);

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
        // in stacked passes. Every third request smooths its labels (as a sweep with a
        // label_smoothing axis would send): a pass holds one smoothing, so each keeps its bits.
        await using var pool = new MlpPool(1, "trainer-pool-groups", features: 300, hidden: 64, classes: 4, trainSize: 400, seed: 3);
        var works = Enumerable.Range(0, 12)
            .Select(k => new LocalWork(LocalMode.Gradient, [[.. Enumerable.Range(k * 20, 16)]], 0, k % 2 == 0 ? 0.05 : 0, null, null) { LabelSmoothing = k % 3 == 0 ? 0.1 : 0 })
            .ToList();
        for (int tag = 0; tag < works.Count; tag++)
        {
            pool.Send(pool.Gradient(works[tag], tag));
        }

        var replies = (await pool.ReceiveAsync(works.Count)).Select(Assert.IsType<GradientComputed>).ToList();

        // A stacked pass reports its time shared equally among its requests.
        Assert.True(replies.GroupBy(r => r.Seconds).Any(g => g.Count() > 1), "no two gradients shared a pass");
        foreach (var reply in replies)
        {
            var (alone, loss) = pool.Alone(works[(int)reply.Tag]);
            Assert.True(alone.AsSpan().SequenceEqual(reply.Gradient.Span), $"request {reply.Tag} (clipped: {works[(int)reply.Tag].ClipNorm > 0})");
            Assert.Equal(loss, reply.Loss);
        }
    }

    [Fact]
    public async Task GradientsAtDifferentParameters_ShareAPass_EachAtItsOwnParameters()
    {
        // Peers: twelve requests at four different models (as in a peer-to-peer round) still go
        // out in stacked passes, and each has the bits of its own model's gradient alone.
        await using var pool = new MlpPool(1, "trainer-pool-peers", features: 300, hidden: 64, classes: 4, trainSize: 400, seed: 5);
        var models = Enumerable.Range(0, 4).Select(k => VectorPayload.TakeOwnership(pool.Runner.InitialParameters((ulong)(30 + k)))).ToArray();
        var works = Enumerable.Range(0, 12)
            .Select(k => new LocalWork(LocalMode.Gradient, [[.. Enumerable.Range(k * 20, 16)]], 0, 0, null, null))
            .ToList();
        for (int tag = 0; tag < works.Count; tag++)
        {
            pool.Send(pool.Gradient(works[tag], tag) with { Parameters = models[tag % 4] });
        }

        var replies = (await pool.ReceiveAsync(works.Count)).Select(Assert.IsType<GradientComputed>).ToList();
        Assert.True(replies.GroupBy(r => r.Seconds).Any(g => g.Select(r => r.Tag % 4).Distinct().Count() > 1), "no two models shared a pass");
        foreach (var reply in replies)
        {
            var (alone, loss) = pool.Alone(works[(int)reply.Tag], models[reply.Tag % 4]);
            Assert.True(alone.AsSpan().SequenceEqual(reply.Gradient.Span), $"request {reply.Tag}");
            Assert.Equal(loss, reply.Loss);
        }
    }

    [Fact]
    public async Task GradientWithADestination_IsWrittenThere_AloneOrInAStackedPass()
    {
        await using var pool = new MlpPool(1, "trainer-pool-destinations", features: 50, hidden: 16, classes: 4, trainSize: 200, seed: 4);
        int d = pool.Runner.ParameterCount;
        var matrix = new float[6 * d];
        var works = Enumerable.Range(0, 6).Select(k => new LocalWork(LocalMode.Gradient, [[.. Enumerable.Range(k * 10, 8)]], 0, 0, null, null)).ToList();
        for (int tag = 0; tag < works.Count; tag++)
        {
            // Odd tags have no destination (wrong length counts as none): a pooled buffer.
            var destination = tag % 2 == 0 ? matrix.AsMemory(tag * d, d) : matrix.AsMemory(tag * d, d - 1);
            pool.Send(pool.Gradient(works[tag], tag) with { Destination = destination });
        }

        foreach (var reply in (await pool.ReceiveAsync(works.Count)).Select(Assert.IsType<GradientComputed>))
        {
            int tag = (int)reply.Tag;
            Assert.True(pool.Alone(works[tag]).Gradient.AsSpan().SequenceEqual(reply.Gradient.Span));
            Assert.Equal(tag % 2 == 0, reply.Gradient.Occupies(matrix.AsSpan(tag * d, d)));
        }
    }

    [Fact]
    public async Task GradientSubmittedForAClient_RepliesItsUpdateOrItsFailure_CheckedForNaN()
    {
        await using var pool = new MlpPool(2, "trainer-pool-submit", features: 20, hidden: 8, classes: 3, trainSize: 100, seed: 5);
        var poisoned = VectorPayload.TakeOwnership([.. pool.Parameters.Span.ToArray().Select((v, k) => k == 0 ? float.NaN : v)]);
        var work = new LocalWork(LocalMode.Gradient, [[.. Enumerable.Range(0, 8)]], 0, 0, null, null);
        pool.Send(pool.Gradient(work, 4) with { SubmitFor = 17 });
        pool.Send(pool.Gradient(work, 4) with { Parameters = poisoned, SubmitFor = 18 });
        pool.Send(pool.Gradient(work with { Batches = [[100_000]] }, 4) with { SubmitFor = 19 });
        var replies = await pool.ReceiveAsync(3);

        var updates = replies.OfType<UpdateSubmitted>().OrderBy(u => u.ClientId).ToList();
        Assert.Equal([17, 18], updates.Select(u => u.ClientId));
        Assert.All(updates, u => Assert.Equal(4, u.Round));
        var (alone, loss) = pool.Alone(work);
        Assert.True(alone.AsSpan().SequenceEqual(updates[0].Update.Span));
        Assert.Equal(loss, updates[0].Loss);
        Assert.Equal(32L * pool.Runner.ParameterCount, updates[0].Bits);
        Assert.True(updates[0].Update.IsFinite());
        Assert.False(updates[1].Update.IsFinite());
        var failed = Assert.Single(replies.OfType<UpdateFailed>());
        Assert.Equal((4, 19), (failed.Round, failed.ClientId));
        Assert.StartsWith(failed.Reason.Split(':')[0], failed.Trace!.Split(':')[0].Split('.')[^1], StringComparison.Ordinal); // the same exception, in full
        Assert.Contains("\n   at ", failed.Trace, StringComparison.Ordinal);
    }

    /// <summary>A trainer pool, an MLP on synthetic data, and a runner of the test's own for the expected results.</summary>
    private sealed class MlpPool : IAsyncDisposable
    {
        private readonly SimulatorSystem _simulator;
        private readonly Inbox _inbox;

        public MlpPool(int trainers, string name, int features, int hidden, int classes, int trainSize, int seed)
        {
            _simulator = SimulatorSystem.Create(trainers, name);
            _inbox = Inbox.Create(_simulator.System);
            Data = SyntheticClassification.Generate(new SyntheticOptions(Classes: classes, Features: features, TrainSize: trainSize, TestSize: 10, Seed: (ulong)seed)).Train;
            Model = ModelKey.For(new MultiLayerPerceptron([hidden]), "mlp", Data.SampleShape, classes);
            Runner = new ModelRunner(Model.Definition, Data.SampleShape, classes);
            Parameters = VectorPayload.TakeOwnership(Runner.InitialParameters((ulong)seed + 2));
        }

        public Dataset Data { get; }

        public ModelKey Model { get; }

        public ModelRunner Runner { get; }

        public VectorPayload Parameters { get; }

        public ComputeGradient Gradient(LocalWork work, long tag) => new(Model, Parameters, Data, work, tag);

        public void Send(object request) => _inbox.Send(_simulator.Trainers, request);

        public async Task<List<object>> ReceiveAsync(int count)
        {
            var replies = new List<object>();
            for (int k = 0; k < count; k++)
            {
                replies.Add(await _inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
            }

            return replies;
        }

        /// <summary><paramref name="work"/>'s gradient and loss at <see cref="Parameters"/>, computed here on its own.</summary>
        public (float[] Gradient, double Loss) Alone(LocalWork work) => Alone(work, Parameters);

        /// <summary><paramref name="work"/>'s gradient and loss at <paramref name="parameters"/>, computed here on its own.</summary>
        public (float[] Gradient, double Loss) Alone(LocalWork work, VectorPayload parameters)
        {
            var gradient = new float[Runner.ParameterCount];
            double loss = Runner.Run(parameters.Span, Data, work, gradient);
            return (gradient, loss);
        }

        public async ValueTask DisposeAsync()
        {
            Runner.Dispose();
            await _simulator.DisposeAsync();
        }
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
