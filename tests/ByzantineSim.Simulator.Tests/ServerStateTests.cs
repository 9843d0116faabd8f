using Akka.Actor;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// The server's state machine without an actor system: events in, commands out. The model is
/// never run (the state only hands parameters to trainers), so d is 4 and the updates are chosen
/// by hand; evaluations come back as sums the test makes up.
/// </summary>
public class ServerStateTests
{
    private const int D = 4;

    private static RunContext Context(RunSetup setup, float[]? statistics = null)
    {
        var data = DatasetCatalog.Load(setup.Data);
        var partition = setup.Partitioner.Split(data.Train.Labels, data.Train.Classes, setup.TotalClients, Seed.Derive(setup.Seed, "partition"));
        var model = ModelKey.For(setup.Model, setup.Model.Description, data.Train.SampleShape, data.Train.Classes);
        return new RunContext(setup, data, partition, model, VectorPayload.CopyOf([1f, 2f, 3f, 4f]), ActorRefs.Nobody, null)
        {
            InitialStatistics = statistics is null ? [] : [.. statistics],
        };
    }

    /// <summary>Applies events as the actor does: a <see cref="RecordClosedRound"/> is applied where it stands; returns every command in execution order.</summary>
    private sealed class Driver(RunSetup setup, float[]? statistics = null)
    {
        private readonly ServerState _state = new(Context(setup, statistics), () => TimeSpan.FromSeconds(1));

        public ServerState State => _state;

        public List<ServerCommand> Apply(object @event)
        {
            var all = new List<ServerCommand>();
            foreach (var command in _state.Apply(@event).Commands)
            {
                all.Add(command);
                if (command is RecordClosedRound record)
                {
                    all.AddRange(Apply(record));
                }
            }

            return all;
        }

        /// <summary>Every honest client's reply to round <paramref name="round"/>, except <paramref name="skip"/>.</summary>
        public List<ServerCommand> HonestReplies(int round, params int[] skip) =>
            [.. Enumerable.Range(0, setup.HonestClients).Except(skip).SelectMany(id => Apply(Reply(round, id)))];
    }

    private static UpdateSubmitted Reply(int round, int client) => new(round, client, VectorPayload.CopyOf([client, 0f, 0f, 1f]), 0.5);

    private static IEnumerable<int> RoundsStarted(IEnumerable<ServerCommand> commands) =>
        commands.OfType<TellClient>().Select(t => ((RoundStarted)t.Message).Round).Distinct();

    private static List<EvaluateModel> Evaluations(IEnumerable<ServerCommand> commands) =>
        [.. commands.OfType<StartEvaluationPart>().Select(p => p.Request)];

    private static ModelEvaluated Evaluated(EvaluateModel part, long correct = 150) => new(part.Tag, new EvaluationSums(0.5 * part.Count, correct, part.Count), 0.1);

    /// <summary>Returns every outstanding evaluation part; the result of the last <see cref="Complete"/>.</summary>
    private static RunResult Finish(Driver driver, IEnumerable<EvaluateModel> parts)
    {
        var commands = parts.SelectMany(part => driver.Apply(Evaluated(part))).ToList();
        return Assert.Single(commands.OfType<Complete>()).Result;
    }

    [Fact]
    public void Begin_EvaluatesThetaZero_AsksEveryHonestClient_AndSchedulesTheDeadline()
    {
        var setup = TinyRun.Setup("mean", byzantine: 0, honest: 3, timeout: TimeSpan.FromSeconds(7));
        var commands = new Driver(setup).Apply(new BeginRun());
        Assert.IsType<StartEvaluationPart>(commands[0]);
        Assert.Equal([0, 1, 2], commands.OfType<TellClient>().Select(t => t.ClientId));
        Assert.Equal(new ScheduleTimeout(new RoundDeadlinePassed(0), TimeSpan.FromSeconds(7)), commands[^1]);
        Assert.Empty(commands.OfType<TellCoalition>());
    }

    [Fact]
    public void Round_ClosesWhenEveryParticipantReplied_NextRoundStartsBeforeTheClosedOneIsRecorded()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 3));
        driver.Apply(new BeginRun());
        Assert.Empty(driver.HonestReplies(0, skip: 2));
        Assert.Equal(0, driver.State.Round);

        var commands = driver.Apply(Reply(0, 2));
        Assert.Equal(1, driver.State.Round);
        Assert.IsType<CancelTimeout>(commands[0]);
        Assert.Equal([1], RoundsStarted(commands));
        int started = commands.FindIndex(c => c is TellClient);
        int recorded = commands.FindIndex(c => c is RecordClosedRound);
        int progress = commands.FindIndex(c => c is ReportProgress);
        Assert.True(started < recorded && recorded < progress, string.Join(", ", commands.Select(c => c.GetType().Name)));
        Assert.Equal(1, ((ReportProgress)commands[progress]).Progress.RoundsCompleted);

        // The mean of the three updates (0,0,0,1), (1,0,0,1), (2,0,0,1) is (1,0,0,1); lr 0.2 from (1,2,3,4).
        var next = (RoundStarted)commands.OfType<TellClient>().First().Message;
        Assert.Equal([0.8f, 2f, 3f, 3.8f], next.Parameters.Span.ToArray());
    }

    [Fact]
    public void SilentCoalition_ClosesTheRound_ItsIdentitiesMissing()
    {
        var driver = new Driver(TinyRun.Setup("mean", honest: 3, byzantine: 2, rounds: 1));
        var parts = Evaluations(driver.Apply(new BeginRun()));
        var revealed = driver.HonestReplies(0);
        var reveal = (HonestUpdatesRevealed)Assert.Single(revealed.OfType<TellCoalition>()).Message;
        Assert.Equal([0, 1, 2], reveal.Updates.Select(u => u.ClientId));
        Assert.Equal(0, driver.State.Round); // the coalition has not reported

        var commands = driver.Apply(new CoalitionFinished(0, [3, 4]));
        Assert.Contains(commands, c => c is CancelTimeout);
        parts.AddRange(Evaluations(commands));
        var round = Assert.Single(Finish(driver, parts).Rounds);
        Assert.Equal((3, 2, 0), (round.Aggregated, round.Missing, round.AttackFailed));
    }

    [Fact]
    public void ThrowingAttack_ItsIdentitiesRecordedAsAttackFailed()
    {
        var driver = new Driver(TinyRun.Setup("mean", honest: 3, byzantine: 2, rounds: 1));
        var parts = Evaluations(driver.Apply(new BeginRun()));
        driver.HonestReplies(0);
        parts.AddRange(Evaluations(driver.Apply(new CoalitionFinished(0, []) { Failed = [3, 4], Failure = "InvalidOperationException: bug" })));
        var result = Finish(driver, parts);
        var round = Assert.Single(result.Rounds);
        Assert.Equal((3, 2, 2, 0, "InvalidOperationException: bug"), (round.Aggregated, round.Rejected, round.AttackFailed, round.Missing, round.AttackFailure));
        Assert.All(result.Clients.Where(c => c.Byzantine), c => Assert.Equal(1, c.Count(ReplyOutcome.AttackFailed)));
    }

    [Fact]
    public void Evaluation_EveryEvalEveryRounds_AndAfterTheLast_RunCompletesOnlyWhenTheLastReturns()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 2, rounds: 7));
        var parts = new List<(int AfterRounds, EvaluateModel Part)>();
        parts.AddRange(Evaluations(driver.Apply(new BeginRun())).Select(p => (0, p)));
        for (int round = 0; round < 7; round++)
        {
            var commands = driver.HonestReplies(round);
            Assert.DoesNotContain(commands, c => c is Complete);
            parts.AddRange(Evaluations(commands).Select(p => (round + 1, p)));
        }

        Assert.Equal([0, 3, 6, 7], parts.Select(p => p.AfterRounds).Distinct());
        Assert.Equal(-1, driver.State.Round);

        // Returned out of order; the run completes on the last one, not before.
        var last = parts[0];
        foreach (var (_, part) in parts.Skip(1).Reverse())
        {
            Assert.DoesNotContain(driver.Apply(Evaluated(part, correct: 30 * part.Tag)), c => c is Complete);
        }

        var result = Assert.Single(driver.Apply(Evaluated(last.Part, correct: 0)).OfType<Complete>()).Result;
        Assert.Equal(7, result.Rounds.Length);
        Assert.Equal([0, 3, 6, 7], result.Evaluations.Select(e => e.Round));
        Assert.Equal(0, result.Evaluations[0].TestAccuracy);
        Assert.Equal(30.0 * parts[^1].Part.Tag / 300, result.Final.TestAccuracy);
    }

    [Fact]
    public void FailedEvaluationPart_RecordedAsNaN_RunStillCompletes()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 2, rounds: 1));
        var parts = Evaluations(driver.Apply(new BeginRun()));
        parts.AddRange(Evaluations(driver.HonestReplies(0)));
        driver.Apply(new ComputationFailed(parts[0].Tag, "trainer failed"));
        var result = Finish(driver, parts.Skip(1));
        Assert.True(double.IsNaN(result.Evaluations[0].TestAccuracy));
        Assert.Equal(0.5, result.Final.TestAccuracy);
    }

    [Fact]
    public void Deadline_ClosesTheRoundWithoutTheSilentClient_ItsLateReplyCounted_AnOldDeadlineIgnored()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 3, rounds: 2));
        var parts = Evaluations(driver.Apply(new BeginRun()));
        driver.HonestReplies(0, skip: 1);
        var closed = driver.Apply(new RoundDeadlinePassed(0));
        Assert.Equal([1], RoundsStarted(closed));
        Assert.Empty(driver.Apply(new RoundDeadlinePassed(0)));

        // Client 1's reply to round 0 arrives during round 1: counted as late, it changes nothing.
        Assert.Empty(driver.Apply(Reply(0, 1)));
        Assert.Equal(1, driver.State.Round);
        parts.AddRange(Evaluations(driver.HonestReplies(1)));
        var result = Finish(driver, parts);
        Assert.Equal([(2, 1), (3, 0)], result.Rounds.Select(r => (r.Aggregated, r.Missing)));
        var client = result.Clients.Single(c => c.ClientId == 1);
        Assert.Equal((1, 1, 1), (client.Count(ReplyOutcome.Missing), client.Count(ReplyOutcome.Late), client.Count(ReplyOutcome.Accepted)));
        Assert.Equal([(1, "client 1: no reply within server.round_timeout (1800 s of wall-clock time)"), (0, null)], result.Rounds.Select(r => (r.LostHonest, r.LostHonestReason)));
    }

    [Fact]
    public void HonestComputationFailed_RoundClosesWithoutIt_RecordedAsLostWithTheFirstReason()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 3, rounds: 1));
        var parts = Evaluations(driver.Apply(new BeginRun()));
        driver.HonestReplies(0, skip: [1, 2]);
        driver.Apply(new UpdateFailed(0, 2, "IOException: disk") { Trace = "System.IO.IOException: disk\n   at Trainer.Compute()" });
        parts.AddRange(Evaluations(driver.Apply(new UpdateFailed(0, 1, "OutOfMemoryException: full"))));
        var round = Assert.Single(Finish(driver, parts).Rounds);
        Assert.Equal((1, 2, 2, "client 2: IOException: disk"), (round.Aggregated, round.Rejected, round.LostHonest, round.LostHonestReason));
        Assert.Equal("System.IO.IOException: disk\n   at Trainer.Compute()", round.LostHonestTrace);
    }

    /// <summary>A reply whose values depend on the round, so a matrix written by a later round reads differently.</summary>
    private static UpdateSubmitted RoundReply(int round, int client) => new(round, client, VectorPayload.CopyOf([client + (10f * round), round, 0f, 1f]), 0.5);

    [Fact]
    public void CoalitionStillCrafting_ThreeRoundsCloseOnTheirDeadlines_ItsRowsStayPut_UntilItFinishes()
    {
        var driver = new Driver(TinyRun.Setup("mean", honest: 3, byzantine: 2, rounds: 5));
        var parts = new List<EvaluateModel>();
        Evaluations(driver.Apply(new BeginRun())).ForEach(part => driver.Apply(Evaluated(part))); // theta_0's evaluation holds round 0 too
        var revealed = Enumerable.Range(0, 3).SelectMany(id => driver.Apply(RoundReply(0, id))).ToList();
        var reveal = (HonestUpdatesRevealed)Assert.Single(revealed.OfType<TellCoalition>()).Message;
        float[] shown = reveal.Rows.ToArray();
        Assert.Equal(12, shown.Length);

        // The coalition does not report; rounds 0, 1, 2 close on their deadlines and round 3 starts.
        for (int round = 0; round < 3; round++)
        {
            var closed = driver.Apply(new RoundDeadlinePassed(round));
            parts.AddRange(Evaluations(closed));
            var started = (RoundStarted)closed.OfType<TellClient>().First().Message;
            Assert.Equal(round + 1, started.Round);
            parts.AddRange(Enumerable.Range(0, 3).SelectMany(id => driver.Apply(RoundReply(round + 1, id))).SelectMany(c => Evaluations([c])));
            Assert.Equal(shown, reveal.Rows.ToArray()); // no later round wrote into round 0's matrix
            Assert.Equal(shown, reveal.Updates.SelectMany(u => u.Update.Span.ToArray()));
        }

        var lease = driver.State.Arena.Find(0)!;
        Assert.Equal([Holder.Coalition], lease.Holders);

        // Its late finish gives round 0's memory back: reading it now throws instead of reading a reused matrix.
        driver.Apply(new CoalitionFinished(0, [3, 4]));
        Assert.True(lease.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => reveal.Rows.Span.Length);
        Assert.Equal([Holder.Coalition], driver.State.Arena.Find(1)!.Holders); // the coalition has yet to finish round 1
    }

    [Fact]
    public void LateTrainer_HoldsItsRoundsMemory_UntilItsReplyArrives()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 3, rounds: 3));
        var parts = new List<EvaluateModel>();
        Evaluations(driver.Apply(new BeginRun())).ForEach(part => driver.Apply(Evaluated(part)));
        Assert.DoesNotContain(driver.Apply(RoundReply(0, 0)).Concat(driver.Apply(RoundReply(0, 2))), c => c is TellClient); // client 1 has not replied
        parts.AddRange(Evaluations(driver.Apply(new RoundDeadlinePassed(0))));
        parts.AddRange(Evaluations(driver.HonestReplies(1)));
        Assert.Equal([Holder.Client(1)], driver.State.Arena.Find(0)!.Holders);

        Assert.Empty(driver.Apply(RoundReply(0, 1))); // late: recorded, and round 0's memory goes back
        Assert.Null(driver.State.Arena.Find(0));
        parts.AddRange(Evaluations(driver.HonestReplies(2)));
        Finish(driver, parts);
    }

    [Fact]
    public void Evaluation_HoldsTheThetaItReads_UntilItsResultArrives()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 2, rounds: 1));
        var first = Evaluations(driver.Apply(new BeginRun()));
        var last = Evaluations(driver.HonestReplies(0));
        var theta = Assert.Single(last).Parameters;
        Assert.Equal([Holder.Evaluation(last[0].Tag)], driver.State.Arena.FindParameters(1)!.Holders);
        Assert.Null(driver.State.Arena.Find(0)); // the round's matrix is not held by the evaluation of the theta it produced
        Assert.Equal(4, theta.Span.Length);

        driver.Apply(Evaluated(last[0]));
        Assert.Throws<ObjectDisposedException>(() => theta.Span.Length);
        Finish(driver, first);
        Assert.Equal(0, driver.State.Arena.OpenLeases);
    }

    [Fact]
    public void CoalitionLeavingAnAbandonedRound_GivesItsMemoryBack()
    {
        var driver = new Driver(TinyRun.Setup("mean", honest: 3, byzantine: 2, rounds: 3));
        Evaluations(driver.Apply(new BeginRun())).ForEach(part => driver.Apply(Evaluated(part)));
        driver.HonestReplies(0);
        driver.Apply(new RoundDeadlinePassed(0));
        Assert.Equal([Holder.Coalition], driver.State.Arena.Find(0)!.Holders);

        driver.Apply(new CoalitionLeftRound(0));
        Assert.Null(driver.State.Arena.Find(0));
    }

    [Fact]
    public void TooFewUpdatesForTheRule_RoundRecordedAsFailed_ThetaKept()
    {
        // krum with f = 2 needs n > 6: three honest updates and a silent coalition are too few.
        var driver = new Driver(TinyRun.Setup("krum", honest: 3, byzantine: 2, rounds: 2));
        var parts = Evaluations(driver.Apply(new BeginRun()));
        driver.HonestReplies(0);
        var next = driver.Apply(new CoalitionFinished(0, [3, 4]));
        Assert.Equal([1f, 2f, 3f, 4f], ((RoundStarted)next.OfType<TellClient>().First().Message).Parameters.Span.ToArray());
        driver.HonestReplies(1);
        parts.AddRange(Evaluations(driver.Apply(new CoalitionFinished(1, [3, 4]))));
        Assert.All(Finish(driver, parts).Rounds, r => Assert.True(r.AggregationFailed));
    }

    [Fact]
    public void UnexpectedEvent_FailsTheRun()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0));
        var fail = Assert.IsType<Fail>(Assert.Single(driver.Apply("not an event")));
        Assert.IsType<ArgumentException>(fail.Reason);
    }

    [Fact]
    public void AggregatedBatchNorm_TheNextRoundAndItsEvaluationGetTheMeanOfTheHonestClientsStatistics()
    {
        var aggregated = Clients.Models.ResidualNetworks.ResNet20.WithBatchNorm(Clients.Models.BatchNormMode.Aggregated);
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 3, rounds: 2) with { Model = aggregated }, statistics: [0f, 0f, 1f, 1f]);
        var begin = driver.Apply(new BeginRun());
        Assert.All(begin.OfType<TellClient>(), t => Assert.Equal([0f, 0f, 1f, 1f], ((RoundStarted)t.Message).Statistics.ToArray()));
        Assert.All(Evaluations(begin), e => Assert.Equal([0f, 0f, 1f, 1f], e.Statistics.ToArray()));

        // Clients 0 and 1 send usable statistics; client 2's hold a NaN, so they are left out of the mean.
        float[][] sent = [[0f, 0f, 1f, 1f], [1f, 2f, 2f, 1f], [5f, float.NaN, 1f, 1f]];
        var commands = Enumerable.Range(0, 3).SelectMany(id => driver.Apply(Reply(0, id) with { Statistics = [.. sent[id]] })).ToList();
        var next = commands.OfType<TellClient>().Select(t => (RoundStarted)t.Message).ToList();
        Assert.Equal(3, next.Count);
        Assert.All(next, started => Assert.Equal(1, started.Round));
        Assert.All(next, started => Assert.Equal([0.5f, 1f, 1.5f, 1f], started.Statistics.ToArray()));

        // Round 1's replies carry none: the server keeps its statistics, and the final evaluation uses them.
        var evaluation = Evaluations(driver.HonestReplies(1));
        Assert.NotEmpty(evaluation);
        Assert.All(evaluation, e => Assert.Equal([0.5f, 1f, 1.5f, 1f], e.Statistics.ToArray()));
    }

    [Fact]
    public void ModelWithoutRunningStatistics_RoundsAndEvaluationsCarryNone()
    {
        var driver = new Driver(TinyRun.Setup("mean", byzantine: 0, honest: 2, rounds: 1));
        var begin = driver.Apply(new BeginRun());
        Assert.All(begin.OfType<TellClient>(), t => Assert.True(((RoundStarted)t.Message).Statistics.IsDefault));
        Assert.All(Evaluations(begin), e => Assert.True(e.Statistics.IsDefault));
    }
}
