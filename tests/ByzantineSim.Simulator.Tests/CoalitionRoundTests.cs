using System.Collections.Immutable;
using ByzantineSim.Simulator.Participants;

namespace ByzantineSim.Simulator.Tests;

/// <summary>The coalition's round as a state machine, without actors: what it waits for, and what it sends.</summary>
public class CoalitionRoundTests
{
    private const int D = 3;
    private static readonly ImmutableArray<int> Ids = [4, 5];

    private static CoalitionRound Round(string attack, ThreatModel? threat = null) =>
        new(7, VectorPayload.CopyOf(new float[D]), new CoalitionSettings(
            BuiltInAttacks.Create(attack, new AttackPopulation(6, 2)), threat ?? ThreatModel.Default, Ids, 6, D, 11, null));

    private static ImmutableArray<ClientUpdate> Honest(params float[][] rows) =>
        [.. rows.Select((row, i) => new ClientUpdate(i, VectorPayload.CopyOf(row)))];

    [Fact]
    public void SignFlip_WaitsForTheHonestUpdates_ThenEveryIdentitySendsMinusTheirMean()
    {
        var round = Round("sign-flip");
        Assert.False(round.NeedsOwnUpdates);
        Assert.False(round.IsReady);

        round.HonestUpdates = Honest([1, 2, 3], [3, 4, -5]);
        Assert.True(round.IsReady);
        var (forged, _) = round.Craft(null);

        Assert.Equal(Ids, forged.Keys.Order());
        Assert.All(forged.Values, v => Assert.Equal([-2f, -3f, 1f], v!.Span.ToArray()));
    }

    [Fact]
    public void MalformedHonestUpdates_AreLeftOutOfTheAttacksView()
    {
        var round = Round("sign-flip");
        round.HonestUpdates = Honest([1, 2, 3], [9, 9], [3, 4, -5]);
        var (forged, _) = round.Craft(null);
        Assert.All(forged.Values, v => Assert.Equal([-2f, -3f, 1f], v!.Span.ToArray()));
    }

    [Fact]
    public void NotOmniscient_DoesNotWaitForHonestUpdates()
    {
        Assert.True(Round("gaussian", new ThreatModel(Omniscient: false, KnowsAggregator: false)).IsReady);
        Assert.True(Round("sign-flip", new ThreatModel(Omniscient: false, KnowsAggregator: false)).IsReady);
    }

    [Fact]
    public void OwnGradientAttack_WaitsForEveryIdentitysOwnUpdate()
    {
        var round = Round("bit-flip");
        Assert.True(round.NeedsOwnUpdates);
        round.OwnUpdates[4] = VectorPayload.CopyOf([1f, -2f, 3f]);
        Assert.False(round.IsReady);
        round.OwnUpdates[5] = VectorPayload.CopyOf([0.5f, 0f, -1f]);
        Assert.True(round.IsReady);

        // Bit flip sends each identity's own gradient negated.
        var (forged, _) = round.Craft(null);
        Assert.Equal([-1f, 2f, -3f], forged[4]!.Span.ToArray());
        Assert.Equal([-0.5f, 0f, 1f], forged[5]!.Span.ToArray());
    }

    [Fact]
    public void Silent_SendsNothingFromAnyIdentity()
    {
        var (forged, _) = Round("silent").Craft(null);
        Assert.Equal(Ids, forged.Keys.Order());
        Assert.All(forged.Values, Assert.Null);
    }

    [Fact]
    public void WrongLength_SendsOneValueShort()
    {
        var (forged, _) = Round("wrong-length").Craft(null);
        Assert.All(forged.Values, v => Assert.Equal(D - 1, v!.Length));
    }
}
