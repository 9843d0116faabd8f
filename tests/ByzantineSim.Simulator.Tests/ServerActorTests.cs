using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// The round protocol with the production wiring (<see cref="SimulatorSystem.Create"/>): Byzantine
/// clients that send NaN, wrong lengths or nothing never crash the server; rounds complete and the
/// run's records say what happened. The round timeout is 30 minutes in these tests, so a test that
/// finishes shows the server did not wait on the wall clock for silent clients.
/// </summary>
public sealed class ServerActorTests() : SimulatorFixture("server-tests")
{
    private static IAttack Attack(string name) => BuiltInAttacks.Create(name, new AttackPopulation(9, 2));

    private static int[] ByzantineIds(RunResult result) => [.. result.Clients.Where(c => c.Byzantine).Select(c => c.ClientId)];

    [Fact]
    public async Task NaNUpdates_RobustRule_AggregatesThemAndStaysFinite()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("cge", Attack("nan"), rounds: 15));
        Assert.Equal(15, result.Rounds.Length);
        Assert.All(result.Rounds, r => Assert.Equal(9, r.Aggregated));
        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal(15, c.Count(ReplyOutcome.AcceptedNonFinite)));
        Assert.True(double.IsFinite(result.Final.TestLoss));
        Assert.True(result.Final.TestAccuracy > result.Evaluations[0].TestAccuracy + 0.2,
            $"accuracy went from {result.Evaluations[0].TestAccuracy} to {result.Final.TestAccuracy}");
    }

    [Fact]
    public async Task ThrowingAttack_IsRecordedAsAttackFailed_NotAsSilence()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("cge", new ThrowingAttack(), rounds: 4));
        Assert.All(result.Rounds, r => Assert.Equal((7, 2, 2, 0), (r.Aggregated, r.Rejected, r.AttackFailed, r.Missing)));
        Assert.All(result.Rounds, r => Assert.Equal("InvalidOperationException: the attack's own bug", r.AttackFailure));
        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal((4, 0), (c.Count(ReplyOutcome.AttackFailed), c.Count(ReplyOutcome.Missing))));

        // A chosen silence, by contrast, is missing and no failure.
        var silent = await Simulator.RunAsync(TinyRun.Setup("cge", Attack("silent"), rounds: 2));
        Assert.All(silent.Rounds, r => Assert.Equal((2, 0, null), (r.Missing, r.AttackFailed, r.AttackFailure)));
    }

    [Fact]
    public async Task NaNUpdates_ExcludePolicy_DropsAndCountsThem()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("mean", Attack("nan"), nonFinite: NonFinitePolicy.Exclude));
        Assert.All(result.Rounds, r => Assert.Equal((7, 2, 0), (r.Aggregated, r.Rejected, r.Missing)));
        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal(6, c.Count(ReplyOutcome.ExcludedNonFinite)));
        Assert.True(double.IsFinite(result.Final.TestLoss));
    }

    [Fact]
    public async Task NaNUpdates_Mean_IsPoisonedButTheRunCompletes()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("mean", Attack("nan")));
        Assert.Equal(6, result.Rounds.Length);
        Assert.True(double.IsNaN(result.Final.TestLoss));
    }

    [Fact]
    public async Task WrongLengthUpdates_AreExcludedAndRecorded()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("krum", Attack("wrong-length")));
        Assert.All(result.Rounds, r => Assert.Equal((7, 2, 0), (r.Aggregated, r.Rejected, r.Missing)));
        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal(6, c.Count(ReplyOutcome.WrongLength)));
        Assert.All(result.Clients.Where(c => !c.Byzantine), c => Assert.Equal(6, c.Count(ReplyOutcome.Accepted)));
    }

    [Fact]
    public async Task SilentClients_RoundClosesWithoutThem_MissingRecorded()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("centered-clipping", Attack("silent")));
        Assert.All(result.Rounds, r => Assert.Equal((7, 0, 2), (r.Aggregated, r.Rejected, r.Missing)));
        Assert.Equal([7, 8], ByzantineIds(result));
        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal(6, c.Count(ReplyOutcome.Missing)));
    }

    [Fact]
    public async Task SlowCoalition_DeadlineClosesRound_LateRepliesDropped()
    {
        var slow = new SlowAttack(TimeSpan.FromSeconds(2));
        var result = await Simulator.RunAsync(TinyRun.Setup("cge", slow, rounds: 3, timeout: TimeSpan.FromMilliseconds(400)));
        Assert.Equal(3, result.Rounds.Length);
        Assert.All(result.Rounds, r => Assert.Equal((7, 2), (r.Aggregated, r.Missing)));
        Assert.True(result.Clients.Where(c => c.Byzantine).Sum(c => c.Count(ReplyOutcome.Missing)) == 6);
    }

    [Fact]
    public async Task CoalitionCraftingForThreeRoundsTime_ReadsTheHonestRowsItWasShown_Unchanged()
    {
        // Each crafting takes more than three rounds' deadlines, so the server closes rounds t+1..t+3
        // (and trainers write their rows in place: no worker momentum) while the coalition still
        // reads round t's matrix. Its lease keeps later rounds from reusing that memory.
        // (Which honest replies make each deadline depends on the machine's load; the reads do not.)
        var reader = new RereadingAttack(TimeSpan.FromMilliseconds(2000));
        var setup = TinyRun.Setup("mean", reader, rounds: 5, timeout: TimeSpan.FromMilliseconds(600), workerMomentum: 0);
        var result = await Simulator.RunAsync(setup);

        Assert.Equal(5, result.Rounds.Length);
        Assert.All(result.Rounds, r => Assert.Equal(2, r.Missing - (7 - r.Aggregated)));
        Assert.NotEmpty(reader.Reads);
        Assert.All(reader.Reads, read => Assert.True(read.Unchanged, $"round {read.Round}: the honest rows changed while the coalition crafted"));
    }

    [Fact]
    public async Task NoByzantine_MeanLearns()
    {
        var result = await Simulator.RunAsync(TinyRun.Setup("mean", byzantine: 0, rounds: 30));
        Assert.True(result.Final.TestAccuracy > result.Evaluations[0].TestAccuracy + 0.2,
            $"accuracy went from {result.Evaluations[0].TestAccuracy} to {result.Final.TestAccuracy}");
        Assert.Equal([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30], result.Evaluations.Select(e => e.Round));
    }

    [Fact]
    public async Task TooFewUpdatesForTheRule_RoundRecordedAsFailed_ThetaKept()
    {
        // krum with f = 2 needs n > 6; with the two Byzantine silent only 5 updates remain.
        var result = await Simulator.RunAsync(TinyRun.Setup("krum", Attack("silent"), honest: 5, rounds: 3));
        Assert.All(result.Rounds, r => Assert.True(r.AggregationFailed));
        Assert.Equal(result.Evaluations[0].TestLoss, result.Final.TestLoss);
    }

    [Fact]
    public async Task StragglersCrashAndLoss_EveryRoundClosesByItsDeadline_ParticipationMatchesTheInjectedFaults()
    {
        // Client 2 crashes from round 3; clients 0 and 4 straggle (exponential, mean 1 s) against a
        // 1 s deadline; every honest update is lost with probability 0.1. The wall-clock timeout is
        // 30 minutes: finishing at all shows no round waited on the clock for a simulated fault.
        const double deadline = 1.0;
        var faults = new FaultSettings(
            new CrashFaults([2], 0, 3),
            new StragglerFaults([0, 4], 0, new DelayDistribution(DelayKind.Exponential, 1.0, 0, 0)),
            0.1);
        var setup = TinyRun.Setup("cge", Attack("sign-flip"), rounds: 12, faults: faults, deadline: deadline);
        var result = await Simulator.RunAsync(setup);

        var plan = new FaultPlan(faults, setup.Seed, setup.HonestClients);
        Assert.Equal(12, result.Rounds.Length);
        var expected = new Dictionary<int, Dictionary<ReplyOutcome, int>>();
        foreach (var round in result.Rounds)
        {
            var outcomes = Enumerable.Range(0, setup.HonestClients).Select(id =>
            {
                var delivery = plan.Deliver(id, round.Round);
                return plan.IsCrashed(id, round.Round) ? ReplyOutcome.Crashed
                    : delivery.Lost ? ReplyOutcome.Lost
                    : delivery.Arrival > deadline ? ReplyOutcome.Straggled
                    : ReplyOutcome.Accepted;
            }).ToList();
            for (int id = 0; id < outcomes.Count; id++)
            {
                var counts = expected.TryGetValue(id, out var c) ? c : expected[id] = [];
                counts[outcomes[id]] = counts.GetValueOrDefault(outcomes[id]) + 1;
            }

            int Count(ReplyOutcome outcome) => outcomes.Count(o => o == outcome);
            int missing = Count(ReplyOutcome.Crashed) + Count(ReplyOutcome.Lost) + Count(ReplyOutcome.Straggled);
            Assert.Equal(
                (Count(ReplyOutcome.Accepted) + 2, Count(ReplyOutcome.Crashed), Count(ReplyOutcome.Lost), Count(ReplyOutcome.Straggled), missing),
                (round.Aggregated, round.Crashed, round.Lost, round.Straggled, round.Missing));
            Assert.True(round.SimulatedSeconds <= deadline, $"round {round.Round} closed at {round.SimulatedSeconds} s");
        }

        Assert.Contains(result.Rounds, r => r.Straggled > 0);
        Assert.Contains(result.Rounds, r => r.Lost > 0);
        Assert.Equal(9, result.Clients.Single(c => c.ClientId == 2).Count(ReplyOutcome.Crashed));
        foreach (var (id, counts) in expected)
        {
            Assert.Equal(counts.OrderBy(p => p.Key), result.Clients.Single(c => c.ClientId == id).Outcomes);
        }

        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal(12, c.Count(ReplyOutcome.Accepted)));
    }

    [Theory]
    [InlineData("bit-flip")]
    [InlineData("label-flip")]
    [InlineData("label-permutation")]
    [InlineData("ipm")]
    [InlineData("mimic")]
    [InlineData("min-max")]
    [InlineData("min-sum")]
    [InlineData("opt-ipm")]
    [InlineData("opt-alie")]
    public async Task EveryAttack_InTheRealWiring_EachByzantineIdentitySendsEveryRound(string name)
    {
        // An attack that threw inside the coalition would leave its identities silent (Missing).
        var attack = BuiltInAttacks.Create(name, new AttackPopulation(9, 2, Classes: 4));
        var result = await Simulator.RunAsync(TinyRun.Setup("krum", attack, rounds: 4));
        Assert.All(result.Rounds, r => Assert.Equal((9, 0), (r.Aggregated, r.Missing)));
        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal(4, c.Count(ReplyOutcome.Accepted)));
    }

    [Fact]
    public async Task StatefulAttack_CoalitionPassesEachRoundsStateToTheNext()
    {
        var attack = new CountingAttack();
        await Simulator.RunAsync(TinyRun.Setup("cge", attack, rounds: 6));
        Assert.Equal([0, 1, 2, 3, 4, 5], attack.Seen);
    }

    /// <summary>Counts rounds through its state and records what it was given (a test probe, not a pattern).</summary>
    private sealed class CountingAttack : IAttack
    {
        public ConcurrentQueue<int> Seen { get; } = new();

        public string Name => "counting";

        public AttackKnowledge Requires => AttackKnowledge.None;

        public AttackState? Craft(in AttackContext context, Span<float> output)
        {
            int count = (context.State as Count)?.Value ?? 0;
            Seen.Enqueue(count);
            output.Clear();
            return new Count(count + 1);
        }

        private sealed record Count(int Value) : AttackState;
    }

    /// <summary>An omniscient attack that copies the honest rows it is shown, waits, and checks they still read the same.</summary>
    private sealed class RereadingAttack(TimeSpan delay) : IAttack
    {
        public ConcurrentBag<(int Round, bool Unchanged)> Reads { get; } = [];

        public string Name => "rereading";

        public AttackKnowledge Requires => AttackKnowledge.HonestUpdates;

        public AttackState? Craft(in AttackContext context, Span<float> output)
        {
            var before = context.HonestUpdates.Data.ToArray();
            Thread.Sleep(delay);
            Reads.Add((context.Round, context.HonestUpdates.Data.SequenceEqual(before)));
            output.Clear();
            return null;
        }
    }

    /// <summary>An attack that takes longer than the round deadline, then sends zeros.</summary>
    private sealed class SlowAttack(TimeSpan delay) : IAttack
    {
        public string Name => "slow";

        public AttackKnowledge Requires => AttackKnowledge.None;

        public AttackState? Craft(in AttackContext context, Span<float> output)
        {
            Thread.Sleep(delay);
            output.Clear();
            return null;
        }
    }

    /// <summary>An attack with a bug: it throws every round.</summary>
    private sealed class ThrowingAttack : IAttack
    {
        public string Name => "throwing";

        public AttackKnowledge Requires => AttackKnowledge.None;

        public AttackState? Craft(in AttackContext context, Span<float> output) =>
            throw new InvalidOperationException("the attack's own bug");
    }
}
