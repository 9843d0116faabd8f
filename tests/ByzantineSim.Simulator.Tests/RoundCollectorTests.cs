namespace ByzantineSim.Simulator.Tests;

public class RoundCollectorTests
{
    private static RoundCollector Collector(NonFinitePolicy policy = NonFinitePolicy.Pass) => new(3, [0, 1], [2, 3], 2, policy);

    private static UpdateSubmitted Reply(int client, params float[] values) => new(3, client, VectorPayload.CopyOf(values), 0.5);

    [Fact]
    public void Completes_WhenHonestRepliedAndCoalitionAccountedForEveryone()
    {
        var round = Collector();
        round.Submit(Reply(1, 1, 1));
        round.Submit(Reply(0, 0, 0));
        Assert.True(round.HonestComplete);
        Assert.False(round.IsComplete);
        round.Submit(Reply(3, 3, 3));
        round.CoalitionFinished(new CoalitionFinished(3, [2]));
        Assert.True(round.IsComplete);
        var (data, rows, ids) = round.Inputs();
        Assert.Equal([0, 1, 3], ids.ToArray());
        Assert.Equal(3, rows);
        Assert.Equal([0f, 0f, 1f, 1f, 3f, 3f], data);
        Assert.Equal(ReplyOutcome.Missing, round.Outcomes()[2]);
    }

    [Fact]
    public void InputNorms_AreTheProducersMeasurements_InInputOrder_OrEmptyWhenOneIsMissing()
    {
        // Replies out of order and a silent client; every producer measured its update.
        var round = Collector();
        var updates = new[] { (3, new[] { 3f, 4f }), (0, new[] { 0f, 1f }), (1, new[] { float.NaN, 1f }) };
        foreach (var (client, values) in updates)
        {
            var payload = VectorPayload.CopyOf(values);
            _ = payload.Norm();
            round.Submit(new UpdateSubmitted(3, client, payload, 0.5));
        }

        round.CoalitionFinished(new CoalitionFinished(3, [2]));
        Assert.Equal([1.0, double.PositiveInfinity, 5.0], round.InputNorms());

        // One update nobody measured: no norms, and the rule measures the rows itself.
        var unmeasured = Collector();
        unmeasured.Submit(Reply(0, 0, 1));
        unmeasured.Submit(Reply(1, 3, 4));
        Assert.Empty(unmeasured.InputNorms());
    }

    [Fact]
    public void RoundMatrix_CopiesOnArrival_AndClosesGapsToTheSameInputs()
    {
        // Replies out of order, a duplicate, a wrong length and a silent client leave gaps.
        var matrix = new float[4 * 2];
        var round = new RoundCollector(3, [0, 1], [2, 3], 2, NonFinitePolicy.Pass, rows: matrix);
        var plain = Collector();
        foreach (var reply in new[] { Reply(3, 3, 3), Reply(1, 1, 2), Reply(0, 5, 6), Reply(0, 9, 9), Reply(2, 1, 2, 3) })
        {
            Assert.Equal(plain.Submit(reply), round.Submit(reply));
        }

        Assert.Equal([5f, 6f, 1f, 2f], round.HonestRows.ToArray());
        var (expected, expectedRows, expectedIds) = plain.Inputs();
        var (data, rows, ids) = round.StackedInputs();
        Assert.Same(matrix, data);
        Assert.Equal(expectedRows, rows);
        Assert.Equal(expectedIds.ToArray(), ids.ToArray());
        Assert.Equal(expected.AsSpan(0, rows * 2).ToArray(), data.AsSpan(0, rows * 2).ToArray());
        Assert.Equal([5f, 6f, 1f, 2f, 3f, 3f], data.AsSpan(0, 6).ToArray());
    }

    [Fact]
    public void RoundMatrix_ByzantineRowsCopiedAtClose_OnePayloadSharedByManyRows()
    {
        // Large enough rows that the Byzantine copies run in parallel; client 4 is silent.
        const int d = 1 << 17;
        var matrix = new float[6 * d];
        var round = new RoundCollector(3, [0, 1], [2, 3, 4, 5], d, NonFinitePolicy.Pass, rows: matrix);
        var honest = Enumerable.Range(0, 2).Select(c => Enumerable.Range(0, d).Select(k => (float)((c * d) + k)).ToArray()).ToArray();
        var forged = VectorPayload.CopyOf(Enumerable.Range(0, d).Select(k => -(float)k).ToArray());
        round.Submit(new UpdateSubmitted(3, 1, VectorPayload.CopyOf(honest[1]), 0.5));
        round.Submit(new UpdateSubmitted(3, 0, VectorPayload.CopyOf(honest[0]), 0.5));
        foreach (int id in new[] { 5, 2, 3 })
        {
            Assert.Equal(ReplyOutcome.Accepted, round.Submit(new UpdateSubmitted(3, id, forged, 0)));
        }

        round.CoalitionFinished(new CoalitionFinished(3, [4]));
        var (data, rows, ids) = round.StackedInputs();
        Assert.Equal([0, 1, 2, 3, 5], ids.ToArray());
        Assert.Equal(5, rows);
        Assert.Equal(honest[0], data.AsSpan(0, d).ToArray());
        Assert.Equal(honest[1], data.AsSpan(d, d).ToArray());
        for (int row = 2; row < 5; row++)
        {
            Assert.Equal(forged.Span.ToArray(), data.AsSpan(row * d, d).ToArray());
        }
    }

    [Fact]
    public void RoundMatrix_HonestRowsHandedOut_UpdatesWrittenThereAreFoundInPlace()
    {
        var matrix = new float[4 * 2];
        var round = new RoundCollector(3, [0, 2], [1, 3], 2, NonFinitePolicy.Pass, rows: matrix);
        var rows = round.HandOutHonestRows()!;
        Assert.True(rows.For(1).IsEmpty); // Byzantine identities get no row
        Assert.True(rows.For(7).IsEmpty);
        var second = rows.For(2);
        Assert.True(second.Span.Overlaps(matrix.AsSpan(4, 2)) && second.Length == 2);

        // Client 2's trainer writes its row; client 0's update comes in its own array.
        new float[] { 5, 6 }.CopyTo(second);
        var inPlace = VectorPayload.Over(second);
        matrix.AsSpan(0, 2).Fill(-1);
        round.Submit(new UpdateSubmitted(3, 2, inPlace, 0.5));
        round.Submit(Reply(0, 1, 2));
        round.Submit(Reply(1, 8, 8));
        round.Submit(Reply(3, 9, 9));
        Assert.False(round.RowsMayStillBeWritten);
        var (data, count, ids) = round.StackedInputs();
        Assert.Same(matrix, data);
        Assert.Equal([0, 1, 2, 3], ids.ToArray());
        Assert.Equal([1f, 2f, 8f, 8f, 5f, 6f, 9f, 9f], data.AsSpan(0, count * 2).ToArray());
    }

    [Fact]
    public void RoundMatrix_ClosedWhileATrainerMayStillWrite_IsNeitherCompactedNorUsed()
    {
        // Client 0 never replies: its trainer may write its row at any time, so the inputs must
        // not be read from (or moved within) the matrix.
        var matrix = new float[3 * 2];
        var round = new RoundCollector(3, [0, 1], [2], 2, NonFinitePolicy.Pass, rows: matrix);
        var rows = round.HandOutHonestRows()!;
        var own = rows.For(1);
        new float[] { 3, 4 }.CopyTo(own);
        round.Submit(new UpdateSubmitted(3, 1, VectorPayload.Over(own), 0.5));
        round.Submit(Reply(2, 7, 7));
        Assert.True(round.RowsMayStillBeWritten);
        var (data, count, ids) = round.StackedInputs();
        Assert.NotSame(matrix, data);
        Assert.Equal([1, 2], ids.ToArray());
        Assert.Equal([3f, 4f, 7f, 7f], data.AsSpan(0, count * 2).ToArray());
        Assert.Equal([0f, 0f, 3f, 4f, 0f, 0f], matrix); // nothing moved, the Byzantine row not copied in

        // Without handing rows out, a missing client's row is nobody's to write: compact in place.
        var quiet = new RoundCollector(3, [0, 1], [2], 2, NonFinitePolicy.Pass, rows: new float[6]);
        quiet.Submit(Reply(1, 3, 4));
        Assert.False(quiet.RowsMayStillBeWritten);
    }

    [Fact]
    public void RoundMatrix_HonestRowsEmpty_WhenAnHonestUpdateIsMissing()
    {
        var round = new RoundCollector(3, [0, 1], [2], 2, NonFinitePolicy.Exclude, rows: new float[6]);
        round.Submit(Reply(0, 1, 1));
        round.Submit(Reply(1, float.NaN, 1));
        Assert.True(round.HonestComplete);
        Assert.True(round.HonestRows.IsEmpty);
        Assert.Single(round.HonestUpdates);
    }

    [Fact]
    public void RoundMatrix_TooSmall_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new RoundCollector(3, [0, 1], [2, 3], 2, NonFinitePolicy.Pass, rows: new float[7]));

    [Fact]
    public void Classifies_BadReplies()
    {
        var round = Collector(NonFinitePolicy.Exclude);
        Assert.Equal(ReplyOutcome.WrongLength, round.Submit(Reply(2, 1, 2, 3)));
        Assert.Equal(ReplyOutcome.ExcludedNonFinite, round.Submit(Reply(3, float.NaN, 0)));
        Assert.Equal(ReplyOutcome.Accepted, round.Submit(Reply(0, 1, 2)));
        Assert.Equal(ReplyOutcome.Duplicate, round.Submit(Reply(0, 5, 5)));
        Assert.Equal(ReplyOutcome.UnknownSender, round.Submit(Reply(9, 1, 1)));
        Assert.Equal(ReplyOutcome.Late, round.Submit(new UpdateSubmitted(2, 1, VectorPayload.CopyOf([1f, 1f]), 0)));
        Assert.Equal(1, round.Inputs().Rows);
    }

    [Fact]
    public void PassPolicy_KeepsNonFiniteForTheRule()
    {
        var round = Collector(NonFinitePolicy.Pass);
        Assert.Equal(ReplyOutcome.AcceptedNonFinite, round.Submit(Reply(2, float.PositiveInfinity, 0)));
        Assert.Equal(1, round.Inputs().Rows);
    }

    [Fact]
    public void HonestLoss_AveragesHonestRepliesOnly()
    {
        var round = Collector();
        round.Submit(new UpdateSubmitted(3, 0, VectorPayload.CopyOf([0f, 0f]), 1.0));
        round.Submit(new UpdateSubmitted(3, 1, VectorPayload.CopyOf([0f, 0f]), 3.0));
        round.Submit(new UpdateSubmitted(3, 2, VectorPayload.CopyOf([0f, 0f]), 100.0));
        Assert.Equal(2.0, round.HonestLoss);
    }

    [Fact]
    public void Faults_CrashedCountedAtOnce_StragglerPastDeadlineExcluded_RoundClosesAtDeadline()
    {
        // Client 0 crashed from round 3; client 1 straggles 2 s, past the 1.5 s deadline.
        var faults = new FaultPlan(new FaultSettings(new CrashFaults([0], 0, 3), new StragglerFaults([1], 0, new DelayDistribution(DelayKind.Constant, 2, 0, 0)), 0), 1, 2);
        var round = new RoundCollector(3, [0, 1], [2, 3], 2, NonFinitePolicy.Pass, faults, deadline: 1.5);
        Assert.True(round.IsCrashed(0));
        Assert.Equal(ReplyOutcome.Straggled, round.Submit(Reply(1, 1, 1)));
        Assert.True(round.HonestComplete);
        Assert.Empty(round.HonestUpdates);
        round.Submit(Reply(2, 2, 2));
        round.Submit(Reply(3, 3, 3));
        Assert.False(round.IsComplete); // the coalition has not reported yet
        round.CoalitionFinished(new CoalitionFinished(3, []));
        Assert.True(round.IsComplete);
        Assert.Equal([ReplyOutcome.Crashed, ReplyOutcome.Straggled, ReplyOutcome.Accepted, ReplyOutcome.Accepted], round.Outcomes().Values);
        Assert.Equal(2, round.Inputs().Rows);
        Assert.Equal(1.5, round.SimulatedSeconds);
    }

    [Fact]
    public void Faults_StragglerWithinDeadline_AcceptedAndSetsTheCloseTime()
    {
        var faults = new FaultPlan(new FaultSettings(null, new StragglerFaults([1], 0, new DelayDistribution(DelayKind.Constant, 0.7, 0, 0)), 0), 1, 2);
        var round = new RoundCollector(3, [0, 1], [], 2, NonFinitePolicy.Pass, faults, deadline: 1.5);
        Assert.Equal(ReplyOutcome.Accepted, round.Submit(Reply(1, 1, 1)));
        Assert.Equal(ReplyOutcome.Accepted, round.Submit(Reply(0, 0, 0)));
        Assert.Equal(0.7, round.SimulatedSeconds);
    }

    [Fact]
    public void Faults_LostUpdate_NeverCounts()
    {
        var faults = new FaultPlan(new FaultSettings(null, null, 0.999999), 1, 2);
        var round = new RoundCollector(3, [0, 1], [], 2, NonFinitePolicy.Pass, faults, deadline: 4);
        Assert.Equal(ReplyOutcome.Lost, round.Submit(Reply(0, 0, 0)));
        Assert.Equal(ReplyOutcome.Duplicate, round.Submit(Reply(0, 0, 0)));
        Assert.Equal(0, round.Inputs().Rows);
        Assert.True(double.IsNaN(round.HonestLoss));
    }
}
