namespace ByzantineSim.Simulator.Tests;

public class FaultPlanTests
{
    private static readonly DelayDistribution Constant2 = new(DelayKind.Constant, 2, 0, 0);

    [Fact]
    public void ExplicitCrash_DownFromItsRoundOn()
    {
        var plan = new FaultPlan(new FaultSettings(new CrashFaults([3], 0, 4), null, 0), 7, 10);
        Assert.False(plan.IsCrashed(3, 3));
        Assert.True(plan.IsCrashed(3, 4));
        Assert.True(plan.IsCrashed(3, 400));
        Assert.False(plan.IsCrashed(2, 4));
    }

    [Fact]
    public void CrashCount_IsDrawnFromTheSeed_AmongHonestClients()
    {
        var settings = new FaultSettings(new CrashFaults([], 3, 0), null, 0);
        var a = new FaultPlan(settings, 7, 10);
        Assert.Equal(3, a.Crashed.Count);
        Assert.All(a.Crashed, id => Assert.InRange(id, 0, 9));
        Assert.Equal(a.Crashed, new FaultPlan(settings, 7, 10).Crashed);
        Assert.NotEqual(a.Crashed, new FaultPlan(settings, 8, 10).Crashed);
    }

    [Fact]
    public void StragglerFraction_RoundsToNearestClientCount()
    {
        var plan = new FaultPlan(new FaultSettings(null, new StragglerFaults([], 0.25, Constant2), 0), 1, 10);
        Assert.Equal(3, plan.Stragglers.Count); // 2.5 rounds away from zero
    }

    [Fact]
    public void Deliver_StragglerDelayed_OthersOnTime()
    {
        var plan = new FaultPlan(new FaultSettings(null, new StragglerFaults([1], 0, Constant2), 0), 1, 4);
        Assert.Equal(new Delivery(false, 2), plan.Deliver(1, 0));
        Assert.Equal(new Delivery(false, 0), plan.Deliver(0, 0));
    }

    [Fact]
    public void Deliver_ExponentialDelays_ArePureFunctionsOfSeedClientAndRound()
    {
        var settings = new FaultSettings(null, new StragglerFaults([0], 0, new DelayDistribution(DelayKind.Exponential, 1.5, 0, 0)), 0);
        var plan = new FaultPlan(settings, 3, 4);
        var delays = Enumerable.Range(0, 4000).Select(round => plan.Deliver(0, round).Arrival).ToList();
        Assert.Equal(delays, Enumerable.Range(0, 4000).Select(round => new FaultPlan(settings, 3, 4).Deliver(0, round).Arrival));
        Assert.Equal(1.5, delays.Average(), 1);
        Assert.All(delays, d => Assert.True(d >= 0));
    }

    [Fact]
    public void Deliver_UniformDelays_StayInRange()
    {
        var plan = new FaultPlan(new FaultSettings(null, new StragglerFaults([0], 0, new DelayDistribution(DelayKind.Uniform, 0, 1, 3)), 0), 3, 4);
        Assert.All(Enumerable.Range(0, 500), round => Assert.InRange(plan.Deliver(0, round).Arrival, 1, 3));
    }

    [Fact]
    public void MessageLoss_LosesAboutTheGivenFraction()
    {
        var plan = new FaultPlan(new FaultSettings(null, null, 0.2), 9, 10);
        double lost = Enumerable.Range(0, 10).SelectMany(client => Enumerable.Range(0, 500).Select(round => plan.Deliver(client, round).Lost))
            .Average(l => l ? 1.0 : 0.0);
        Assert.Equal(0.2, lost, 1);
    }
}
