using ByzantineSim.Simulator.Asynchrony;

namespace ByzantineSim.Simulator.Tests.Asynchrony;

public class ArrivalScheduleTests
{
    private static readonly DelayDistribution Zero = new(DelayKind.Constant, 0, 0, 0);

    private static AsynchronySettings Settings(AsyncMode mode, int buffer = 1, DelayDistribution? compute = null, DelayDistribution? latency = null, ulong seed = 3) =>
        new(mode, buffer, 0.6, StalenessFunction.Constant, compute ?? new DelayDistribution(DelayKind.Constant, 1, 0, 0), latency ?? Zero, seed);

    private static string Text(ArrivalSchedule schedule) =>
        string.Join(";", schedule.Arrivals.Select(a => $"{a.Client},{a.Job},{a.Start:R},{a.Time:R},{a.BaseVersion},{a.Step}"));

    [Fact]
    public void FedBuffWithKEqualToNAndEqualSpeeds_EveryStepIsOneSynchronousRound()
    {
        var schedule = ArrivalSchedule.Build(Settings(AsyncMode.FedBuff, buffer: 4), 3, 1, steps: 3);

        // Every client arrives at t = s + 1 with job s, trained on version s, in client order.
        Assert.Equal(12, schedule.Arrivals.Length);
        for (int i = 0; i < 12; i++)
        {
            var a = schedule.Arrivals[i];
            Assert.Equal((i % 4, i / 4, i / 4, i / 4 + 1.0, i / 4, 0), (a.Client, a.Job, a.BaseVersion, a.Time, a.Step, a.Staleness));
        }

        Assert.Equal([1.0, 2.0, 3.0], schedule.StepTimes.ToArray());
    }

    [Fact]
    public void FedAsyncTwoClients_HandDerivedStalenessAndVersions()
    {
        // compute 1 + latency 0.5: both arrive at 1.5 (client 0 first, as step 0; client 1 as step 1, staleness 1);
        // both restart on version 2, the one their instant produced, and arrive at 3 as steps 2 and 3.
        var schedule = ArrivalSchedule.Build(Settings(AsyncMode.FedAsync, latency: new DelayDistribution(DelayKind.Constant, 0.5, 0, 0)), 2, 0, steps: 4);
        Assert.Equal("0,0,0,1.5,0,0;1,0,0,1.5,0,1;0,1,1.5,3,2,2;1,1,1.5,3,2,3", Text(schedule));
        Assert.Equal([0, 1, 0, 1], schedule.Arrivals.Select(a => a.Staleness));

        // Version 0 is last used by arrival 1, version 2 by arrival 3; versions 1, 3 and 4 by none.
        Assert.Equal([1, -1, 3, -1, -1], schedule.LastUse.ToArray());
    }

    [Fact]
    public void SameSettings_SameSchedule_OtherSeed_OtherSchedule()
    {
        var exponential = new DelayDistribution(DelayKind.Exponential, 1, 0, 0);
        var settings = Settings(AsyncMode.FedBuff, buffer: 3, compute: exponential, latency: exponential) with { ComputeSpread = 4 };
        string first = Text(ArrivalSchedule.Build(settings, 5, 2, 20));
        Assert.Equal(first, Text(ArrivalSchedule.Build(settings, 5, 2, 20)));
        Assert.NotEqual(first, Text(ArrivalSchedule.Build(settings with { Seed = 4 }, 5, 2, 20)));
    }

    [Fact]
    public void HeterogeneousSpeeds_ArrivalsInTimeOrder_StalenessAppears()
    {
        var exponential = new DelayDistribution(DelayKind.Exponential, 1, 0, 0);
        var schedule = ArrivalSchedule.Build(Settings(AsyncMode.FedBuff, buffer: 2, compute: exponential) with { ComputeSpread = 10 }, 6, 0, 30);
        Assert.True(schedule.Arrivals.Zip(schedule.Arrivals.Skip(1)).All(p => p.First.Time <= p.Second.Time));
        Assert.Contains(schedule.Arrivals, a => a.Staleness >= 2);
        Assert.All(schedule.Arrivals, a => Assert.True(a.BaseVersion <= a.Step && a.Start < a.Time));
    }

    [Fact]
    public void ByzantineTiming_FreshHasNoStaleness_StaleLagsTheNewestVersion()
    {
        var exponential = new DelayDistribution(DelayKind.Exponential, 1, 0, 0);
        var settings = Settings(AsyncMode.FedAsync, compute: exponential) with { ComputeSpread = 3 };
        var fresh = ArrivalSchedule.Build(settings with { ByzantineTiming = ByzantineTiming.Fresh }, 4, 2, 40);
        Assert.All(fresh.Arrivals.Where(a => a.Byzantine), a => Assert.Equal(0, a.Staleness));

        var stale = ArrivalSchedule.Build(settings with { ByzantineTiming = ByzantineTiming.Stale, ByzantineLag = 5 }, 4, 2, 40);
        Assert.All(stale.Arrivals.Where(a => a.Byzantine), a => Assert.Equal(Math.Max(0, a.Step - 5), a.BaseVersion));

        // The timing changes what the Byzantine clients claim, never when anyone arrives.
        Assert.Equal(fresh.Arrivals.Select(a => (a.Client, a.Time)), stale.Arrivals.Select(a => (a.Client, a.Time)));
    }

    [Fact]
    public void Sync_EveryClientEveryStep_NoStaleness_StepEndsAtTheSlowest()
    {
        var exponential = new DelayDistribution(DelayKind.Exponential, 1, 0, 0);
        var schedule = ArrivalSchedule.Build(Settings(AsyncMode.Sync, compute: exponential) with { ComputeSpread = 3 }, 4, 1, 5);
        Assert.Equal(25, schedule.Arrivals.Length);
        Assert.All(schedule.Arrivals, a => Assert.Equal((a.Step, 0), (a.Job, a.Staleness)));
        Assert.All(schedule.Arrivals.GroupBy(a => a.Step), g => Assert.Equal([0, 1, 2, 3, 4], g.Select(a => a.Client).Order()));
        Assert.Equal(schedule.Arrivals.GroupBy(a => a.Step).Select(g => g.Max(a => a.Time)), schedule.StepTimes);
    }
}
