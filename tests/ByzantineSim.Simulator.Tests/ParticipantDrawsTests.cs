using System.Collections.Immutable;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Tests;

public class ParticipantDrawsTests
{
    // Enough clients for the draws to be made ahead, 1% of them sampled.
    private static RunSetup ManyClients(int rounds) =>
        TinyRun.Setup("mean", honest: ParticipantDraws.AheadFrom + 100, byzantine: 0, rounds: rounds, training: t => t with { Participation = 0.01 });

    [Fact]
    public void DrawsMadeAhead_AreEachRoundsOwnDraw()
    {
        var setup = ManyClients(rounds: 6);
        var draws = new ParticipantDraws(setup, RunContext.ParticipantsOf);
        var taken = Enumerable.Range(0, 6).Select(draws.Take).ToList();

        for (int round = 0; round < 6; round++)
        {
            Assert.Equal(RunContext.ParticipantsOf(setup, round).ToArray(), taken[round].ToArray());
        }

        // Consecutive rounds sample different clients, so a draw handed to the wrong round shows.
        Assert.NotEqual(taken[0].ToArray(), taken[1].ToArray());
    }

    [Fact]
    public void RoundsAskedOutOfTurn_GetTheirOwnDraw()
    {
        var setup = ManyClients(rounds: 10);
        var draws = new ParticipantDraws(setup, RunContext.ParticipantsOf);
        foreach (int round in new[] { 0, 4, 4, 5, 2, 3, 9 })
        {
            Assert.Equal(RunContext.ParticipantsOf(setup, round).ToArray(), draws.Take(round).ToArray());
        }
    }

    [Fact]
    public void DrawsAhead_OnlyWithManyClientsAndPartialParticipation()
    {
        Assert.True(new ParticipantDraws(ManyClients(rounds: 5), RunContext.ParticipantsOf).DrawsAhead);
        var few = TinyRun.Setup("mean", honest: 100, byzantine: 0, rounds: 5, training: t => t with { Participation = 0.5 });
        Assert.False(new ParticipantDraws(few, RunContext.ParticipantsOf).DrawsAhead);
        var everyone = TinyRun.Setup("mean", honest: ParticipantDraws.AheadFrom + 100, byzantine: 0, rounds: 5);
        Assert.False(new ParticipantDraws(everyone, RunContext.ParticipantsOf).DrawsAhead);
    }

    [Fact]
    public void TheNextRoundIsDrawnAhead_AndNoRoundPastTheLast()
    {
        var rounds = new System.Collections.Concurrent.ConcurrentQueue<int>();
        ImmutableArray<int> Logged(RunSetup setup, int round, int[] ids)
        {
            rounds.Enqueue(round);
            return RunContext.ParticipantsOf(setup, round, ids);
        }

        var draws = new ParticipantDraws(ManyClients(rounds: 3), Logged);
        draws.Take(0);
        draws.Take(1);
        draws.Take(2);

        // Round 0 on the caller's thread, 1 and 2 ahead (each done before it was taken), none for 3.
        Assert.Equal([0, 1, 2], rounds.ToArray());
    }
}
