using System.Collections.Immutable;
using ByzantineSim.Simulator.Asynchrony;
using ByzantineSim.Simulator.Participants;

namespace ByzantineSim.Simulator.Tests.Asynchrony;

/// <summary>The server's arithmetic driven by hand: gradients are given, no trainer runs.</summary>
public class AsyncServerTests
{
    private static readonly DelayDistribution Compute = new(DelayKind.Constant, 1, 0, 0);
    private static readonly DelayDistribution HalfSecond = new(DelayKind.Constant, 0.5, 0, 0);

    private static (AsyncServer Server, int Dimension) Server(AsynchronySettings settings, int honest, int byzantine, int steps, IAttack? attack = null, string aggregator = "mean")
    {
        var setup = TinyRun.Setup(aggregator, attack, honest: honest, byzantine: byzantine, rounds: steps, workerMomentum: 0, learningRate: 0.2) with { Asynchrony = settings };
        const int d = 5; // no trainer runs: any model length serves
        var schedule = ArrivalSchedule.Build(settings, honest, byzantine, steps);
        var server = new AsyncServer(setup, schedule, new float[d], id => new ClientState(id, [.. Enumerable.Range(0, 100)], (ulong)id, null));
        return (server, d);
    }

    private static VectorPayload Filled(int d, float value) => VectorPayload.TakeOwnership(Enumerable.Repeat(value, d).ToArray());

    [Fact]
    public void FedAsync_PolynomialStaleness_MixesByHand()
    {
        // Schedule (ArrivalScheduleTests): arrival 0 = client 0 on version 0 (staleness 0), arrival 1 = client 1 on version 0 (staleness 1).
        var settings = new AsynchronySettings(AsyncMode.FedAsync, 1, 0.5, new StalenessFunction(StalenessKind.Polynomial, 1, 0), Compute, HalfSecond, 1);
        var (server, d) = Server(settings, 2, 0, 4);

        // Arrival 1's result comes back first: nothing can be applied before arrival 0.
        server.Computed(1, Filled(d, 2), 0.7);
        Assert.Empty(server.Advance());
        server.Computed(0, Filled(d, 1), 0.9);
        var steps = server.Advance();

        // x_new = 0 - 0.2 * 1 = -0.2, a = 0.5 (0 + 1)^-1 = 0.5: x_1 = 0.5 * 0 + 0.5 * -0.2 = -0.1.
        // x_new = 0 - 0.2 * 2 = -0.4 (from version 0), a = 0.5 (1 + 1)^-1 = 0.25: x_2 = 0.75 * -0.1 + 0.25 * -0.4 = -0.175.
        Assert.Equal(2, steps.Count);
        Assert.All(steps[0].Model.Span.ToArray(), v => Assert.Equal(-0.1f, v, 6));
        Assert.All(steps[1].Model.Span.ToArray(), v => Assert.Equal(-0.175f, v, 6));
        Assert.Equal([0.9, 0.7], steps.Select(s => s.Round.TrainLoss));
        Assert.Equal([1.5, 1.5], steps.Select(s => s.Round.SimulatedSeconds));
        Assert.Equal([0.5, 0.25], server.Records.Select(r => r.Weight));

        // Versions 0, 1 and 2 were held together while arrival 1 was applied; then only version 2, which both clients train on.
        Assert.Equal(1, server.VersionsHeld);
        Assert.Equal(3, server.MostVersionsHeld);
    }

    [Fact]
    public void FedBuff_StalenessWeightedMean_StepsByHand()
    {
        // K = 2 of 2 clients at equal speed: both updates of a step are fresh, weight 1.
        var settings = new AsynchronySettings(AsyncMode.FedBuff, 2, 1, new StalenessFunction(StalenessKind.Polynomial, 0.5, 0), Compute, HalfSecond, 1);
        var (server, d) = Server(settings, 2, 0, 2);
        server.Computed(0, Filled(d, 1), 1);
        server.Computed(1, Filled(d, 3), 1);
        var step = Assert.Single(server.Advance());

        // x_1 = 0 - 0.2 * mean(1, 3) = -0.4.
        Assert.All(step.Model.Span.ToArray(), v => Assert.Equal(-0.4f, v, 6));
        Assert.Equal(2, step.Round.Aggregated);
    }

    [Fact]
    public void FedAsync_DeliberatelyStaleByzantine_DragsTheModelBackTowardsAnOldVersion()
    {
        // One honest client, one Byzantine replaying an old model: its update is zero, so x_new = x_base (version step - 2).
        var settings = new AsynchronySettings(AsyncMode.FedAsync, 1, 0.5, StalenessFunction.Constant, Compute, HalfSecond, 1)
        {
            ByzantineTiming = ByzantineTiming.Stale,
            ByzantineLag = 2,
        };
        var (server, d) = Server(settings, 1, 1, 8, new ZeroUpdate());
        var applied = new List<CompletedStep>();
        foreach (var arrival in server.Schedule.Arrivals.Where(a => !a.Byzantine))
        {
            server.Computed(arrival.Index, Filled(d, -1), 0.5); // each honest step moves every coordinate up
            applied.AddRange(server.Advance());
        }

        Assert.Equal(8, applied.Count);
        var models = applied.Select(s => s.Model.Span[0]).Prepend(0f).ToArray();
        foreach (var record in server.Records.Where(r => r.Byzantine))
        {
            // x_{t+1} = 0.5 x_t + 0.5 x_{base}: halfway back to the version it replays.
            Assert.Equal(Math.Max(0, record.Step - 2), record.BaseVersion);
            Assert.Equal((0.5f * models[record.Step]) + (0.5f * models[record.BaseVersion]), models[record.Step + 1], 6);
        }

        Assert.Contains(server.Records, r => r.Byzantine && r.Staleness == 2);
    }

    [Fact]
    public void FedBuff_FreshByzantine_GetsFullWeightWhereScheduledOnesAreDiscounted()
    {
        static ImmutableArray<ArrivalRecord> Records(ByzantineTiming timing)
        {
            var exponential = new DelayDistribution(DelayKind.Exponential, 1, 0, 0);
            var settings = new AsynchronySettings(AsyncMode.FedBuff, 3, 1, new StalenessFunction(StalenessKind.Polynomial, 0.5, 0), exponential, HalfSecond, 9)
            {
                ComputeSpread = 4,
                ByzantineTiming = timing,
            };
            var (server, d) = Server(settings, 4, 1, 12, new ZeroUpdate());
            foreach (var arrival in server.Schedule.Arrivals.Where(a => !a.Byzantine))
            {
                server.Computed(arrival.Index, Filled(d, 1), 0.5);
                server.Advance();
            }

            return [.. server.Records];
        }

        Assert.All(Records(ByzantineTiming.Fresh).Where(r => r.Byzantine), r => Assert.Equal(1.0, r.Weight));
        Assert.Contains(Records(ByzantineTiming.Scheduled), r => r.Byzantine && r.Weight < 1);
    }

    /// <summary>Sends the zero vector: in FedAsync its x_new is the model it was computed from.</summary>
    private sealed class ZeroUpdate : IAttack
    {
        public string Name => "zero";

        public AttackKnowledge Requires => AttackKnowledge.None;

        public AttackState? Craft(in AttackContext context, Span<float> output)
        {
            output.Clear();
            return null;
        }
    }
}
