using System.Collections.Immutable;
using ByzantineSim.Aggregators;
using ByzantineSim.Core.Numerics;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The parameter server's logic as a state machine: <see cref="Apply"/> takes an event (a
/// message the server received) and returns the state and the <see cref="ServerCommand"/>s its
/// actor must execute, in order. It holds round progress (<see cref="RoundCollector"/>), closing
/// and aggregation, the step (<see cref="ServerOptimizer"/>), evaluation scheduling
/// (<see cref="PendingEvaluation"/>) and the records (<see cref="RunRecorder"/>); it never touches
/// Akka. Its parts are mutable (the round matrices and pooled payloads are reused across rounds),
/// so <see cref="Apply"/> returns this same instance: the state is owned solely by one actor or
/// test, which must not use it after a <see cref="Complete"/> or <see cref="Fail"/>.
/// </summary>
public sealed class ServerState
{
    private readonly RunContext _run;
    private readonly Func<TimeSpan> _clock;
    private readonly AggregationPipeline _pipeline;
    private readonly RunRecorder _recorder = new();
    private readonly Dictionary<long, (PendingEvaluation Evaluation, int Part, VectorPayload Parameters)> _evaluationParts = [];
    private readonly float[][] _roundMatrices = [[], []];
    private readonly float[] _aggregate;
    private readonly float[] _stepScratch;
    private readonly List<VectorPayload> _oldParameters = [];
    private readonly Stack<ClosedRound> _toRecord = new();
    private readonly List<ServerCommand> _commands = [];
    private List<VectorPayload> _retiring = [];
    private long _nextEvaluationTag;
    private ServerOptimizer _optimizer;
    private AggregatorState? _aggregatorState;
    private RoundCollector? _round;
    private bool _revealed;
    private bool _roundsDone;
    private double _roundStartedAt;
    private double _lastReplyAt;

    /// <summary>The state of <paramref name="run"/>'s server before <see cref="BeginRun"/>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="clock">Wall-clock time since the run began (for the records' timings only; no decision depends on it).</param>
    public ServerState(RunContext run, Func<TimeSpan> clock)
    {
        _run = run;
        _clock = clock;
        _pipeline = run.Setup.CreatePipeline();
        _optimizer = new ServerOptimizer(run.InitialParameters, null);
        _aggregate = new float[run.Dimension];
        _stepScratch = new float[run.Dimension];
    }

    /// <summary>The round being collected, or -1 between rounds and after the last.</summary>
    public int Round => _round?.Round ?? -1;

    private bool HasCoalition => _run.Setup.ByzantineClients > 0;

    private double Now => _clock().TotalSeconds;

    /// <summary>
    /// Applies one event: <see cref="BeginRun"/>, <see cref="UpdateSubmitted"/>,
    /// <see cref="UpdateFailed"/>, <see cref="CoalitionFinished"/>, <see cref="RoundDeadlinePassed"/>,
    /// <see cref="ModelEvaluated"/>, <see cref="ComputationFailed"/>, or the
    /// <see cref="RecordClosedRound"/> it asked for. An unexpected error ends the commands with
    /// <see cref="Fail"/>, after those issued before it.
    /// </summary>
    public (ServerState State, ImmutableArray<ServerCommand> Commands) Apply(object @event)
    {
        _commands.Clear();
        try
        {
            Handle(@event);
        }
#pragma warning disable CA1031 // Reported to the run's requester as its failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _commands.Add(new Fail(ex));
        }

        return (this, [.. _commands]);
    }

    private void Handle(object @event)
    {
        switch (@event)
        {
            case BeginRun:
                StartEvaluation(0);
                StartRound(0);
                break;
            case UpdateSubmitted reply when _round is null || reply.Round != _round.Round:
                _recorder.Late(reply.ClientId);
                break;
            case UpdateSubmitted reply:
                _round!.Submit(reply);
                _lastReplyAt = Now;
                Progress();
                break;
            case UpdateFailed failure:
                _round?.Fail(failure);
                Progress();
                break;
            case CoalitionFinished finished:
                _round?.CoalitionFinished(finished);
                Progress();
                break;
            case RoundDeadlinePassed deadline when _round?.Round == deadline.Round:
                CloseRound();
                break;
            case RoundDeadlinePassed:
                break;
            case ModelEvaluated evaluated:
                EvaluationPartDone(evaluated.Tag, evaluated.Sums, evaluated.Seconds);
                break;
            case ComputationFailed failed:
                EvaluationPartDone(failed.Tag, null, 0);
                break;
            case RecordClosedRound:
                Record(_toRecord.Pop());
                break;
            default:
                throw new ArgumentException($"the server has no transition for {@event.GetType().Name}", nameof(@event));
        }
    }

    private void StartRound(int round)
    {
        var participants = _run.Participants(round);
        var honest = participants.Where(id => id < _run.Setup.HonestClients).ToList();
        var byzantine = participants.Where(id => id >= _run.Setup.HonestClients).ToList();
        // Two matrices taken in turn: an omniscient coalition reads this round's honest rows in
        // place, and the next round must not write over them while it might still be crafting.
        var matrix = ScratchBuffer.Ensure(ref _roundMatrices[round % 2], participants.Length * _run.Dimension);

        _round = new RoundCollector(
            round, honest, byzantine, _run.Dimension, _run.Setup.Server.NonFinite, _run.Faults, _run.Setup.Server.Deadline, matrix);
        _revealed = false;
        _roundStartedAt = _lastReplyAt = Now;
        var started = new RoundStarted(round, _optimizer.Parameters, participants, _round.HandOutHonestRows());
        foreach (int id in honest)
        {
            // A crashed client is down: it is not asked, and the collector already counts it.
            if (!_round.IsCrashed(id))
            {
                _commands.Add(new TellClient(id, started));
            }
        }

        if (HasCoalition)
        {
            _commands.Add(new TellCoalition(started));
        }

        _commands.Add(new ScheduleTimeout(new RoundDeadlinePassed(round), _run.Setup.Server.RoundTimeout));
        Progress();
    }

    private void Progress()
    {
        if (_round is null)
        {
            return;
        }

        if (!_revealed && _round.HonestComplete && _run.Setup.Threat.Omniscient && HasCoalition)
        {
            _revealed = true;
            _commands.Add(new TellCoalition(new HonestUpdatesRevealed(_round.Round, _optimizer.Parameters, _round.HonestUpdates, _round.HonestRows)));
        }

        if (_round.IsComplete)
        {
            CloseRound();
        }
    }

    /// <summary>Aggregates and steps, starts what follows (an evaluation due, the next round), and asks for the round to be recorded after that.</summary>
    private void CloseRound()
    {
        var round = _round!;
        _round = null;
        _commands.Add(new CancelTimeout());
        double aggregationStart = Now;
        var (inputs, rows, _) = round.StackedInputs();
        if (round.RowsMayStillBeWritten)
        {
            _roundMatrices[round.Round % 2] = []; // a late trainer may still write into it: never reuse it
        }

        bool failed = false;
        var parameters = _optimizer.Parameters;
        try
        {
            // A fresh array only when it becomes the model; otherwise one buffer serves every round.
            var aggregate = _run.Setup.Training.SendModel ? new float[_run.Dimension] : _aggregate;
            var context = new AggregationContext(round.Round, Seed.Derive(_run.Setup.Seed, "aggregation", round.Round), _aggregatorState);
            _aggregatorState = _pipeline.Aggregate(new RowMatrix(inputs.AsSpan(0, rows * _run.Dimension), rows, _run.Dimension), aggregate, context);
            _optimizer = _run.Setup.Training.SendModel
                ? new ServerOptimizer(VectorPayload.TakeOwnership(aggregate), null) // clients sent models: the aggregate is the model
                : _optimizer.Step(aggregate, round.Round, _run.Setup.Training, _stepScratch);
        }
        catch (AggregationException)
        {
            failed = true; // too few usable updates for the rule: keep theta, record the failure
        }

        if (!ReferenceEquals(parameters, _optimizer.Parameters))
        {
            _oldParameters.Add(parameters);
        }

        double now = Now;
        _toRecord.Push(new ClosedRound(round, rows, failed, _lastReplyAt - _roundStartedAt, now - aggregationStart, now));

        // The next round (and any evaluation due) starts before this one is recorded: its
        // clients and trainers compute while the server does the bookkeeping.
        int completed = round.Round + 1;
        var training = _run.Setup.Training;
        if (completed % training.EvalEvery == 0 || completed == training.Rounds)
        {
            StartEvaluation(completed);
        }

        if (completed < training.Rounds)
        {
            StartRound(completed);
        }

        _commands.Add(new RecordClosedRound());
    }

    private void Record(ClosedRound closed)
    {
        var round = closed.Round;
        RetireUpdates(round);
        var outcomes = round.Outcomes();
        var tally = outcomes.Values.CountBy(o => o).ToDictionary();
        int Count(params ReplyOutcome[] kinds) => kinds.Sum(kind => tally.GetValueOrDefault(kind));
        _recorder.RoundClosed(
            new RoundRecord(
                round.Round,
                round.HonestLoss,
                closed.Rows,
                Count(ReplyOutcome.WrongLength, ReplyOutcome.ExcludedNonFinite, ReplyOutcome.Failed, ReplyOutcome.AttackFailed),
                Count(ReplyOutcome.Missing, ReplyOutcome.Crashed, ReplyOutcome.Lost, ReplyOutcome.Straggled),
                closed.Failed,
                closed.TrainSeconds,
                closed.AggregationSeconds)
            {
                Sampled = outcomes.Count,
                BitsSent = round.HonestBits,
                Crashed = Count(ReplyOutcome.Crashed),
                Lost = Count(ReplyOutcome.Lost),
                Straggled = Count(ReplyOutcome.Straggled),
                AttackFailed = Count(ReplyOutcome.AttackFailed),
                AttackFailure = round.AttackFailure,
                SimulatedSeconds = round.SimulatedSeconds,
                ElapsedSeconds = closed.ClosedAt,
                ComputeSeconds = round.ComputeSeconds,
                AttackSeconds = round.AttackSeconds,
                CraftingSeconds = round.CraftingSeconds,
            },
            outcomes,
            closed.ClosedAt);

        int completed = round.Round + 1;
        _commands.Add(new ReportProgress(new RunProgress(_run.Setup.RunId, completed, _run.Setup.Training.Rounds, _recorder.LastAccuracy)));
        if (completed == _run.Setup.Training.Rounds)
        {
            _roundsDone = true;
            RetireUpdates(null);
            TryFinish();
        }
    }

    /// <summary>
    /// Gives the previous round's updates and parameters back to their pool, and keeps this
    /// round's for the next call. One round late: an omniscient coalition reads a round's honest
    /// updates while it crafts, which normally ends before the round closes, but not when the
    /// round closes on its wall-clock deadline. Parameters that an evaluation still reads wait
    /// until it is done.
    /// </summary>
    private void RetireUpdates(RoundCollector? closed)
    {
        foreach (var payload in _retiring)
        {
            payload.Release();
        }

        _retiring = closed is null ? [] : [.. closed.AcceptedPayloads];

        // The parameters of the round that just closed stay (the coalition may still read them).
        int keep = closed is null ? 0 : 1;
        for (int k = _oldParameters.Count - 1 - keep; k >= 0; k--)
        {
            var parameters = _oldParameters[k];
            if (!_evaluationParts.Values.Any(part => ReferenceEquals(part.Parameters, parameters)))
            {
                parameters.Release();
                _oldParameters.RemoveAt(k);
            }
        }
    }

    private void StartEvaluation(int round)
    {
        Evaluate(round, validation: false, _run.Data.Test);
        if (_run.Data.Validation is { } validationSet)
        {
            Evaluate(round, validation: true, validationSet);
        }

        if (_run.AttackSuccessData is { } poisoned)
        {
            Evaluate(round, validation: false, poisoned, attackSuccess: true);
        }
    }

    /// <summary>Sends the evaluation out in parts, so that idle trainers share it.</summary>
    private void Evaluate(int round, bool validation, Clients.Data.Dataset data, bool attackSuccess = false)
    {
        var evaluation = new PendingEvaluation(round, validation, data.Count, data.IsRegression) { AttackSuccess = attackSuccess };
        for (int part = 0; part < evaluation.PartCount; part++)
        {
            var (start, count) = evaluation.Range(part);
            long tag = _nextEvaluationTag++;
            _evaluationParts.Add(tag, (evaluation, part, _optimizer.Parameters));
            _commands.Add(new StartEvaluationPart(new EvaluateModel(_run.Model, _optimizer.Parameters, data, start, count, tag)));
        }
    }

    /// <summary>A part of an evaluation came back (<paramref name="sums"/> null: it failed).</summary>
    private void EvaluationPartDone(long tag, Clients.Training.EvaluationSums? sums, double seconds)
    {
        if (!_evaluationParts.Remove(tag, out var entry))
        {
            return;
        }

        var evaluation = entry.Evaluation;
        if (evaluation.Complete(entry.Part, sums, seconds) is { } result)
        {
            // Trainer seconds summed over the parts, like client computation time.
            if (evaluation.AttackSuccess)
            {
                _recorder.AttackMeasured(evaluation.Round, result.Accuracy);
            }
            else
            {
                _recorder.Evaluated(evaluation.Round, evaluation.Validation, result.Accuracy, result.Loss, evaluation.Seconds);
            }
        }

        TryFinish();
    }

    /// <summary>The run completes once the last round is recorded and no evaluation part is out.</summary>
    private void TryFinish()
    {
        if (!_roundsDone || _evaluationParts.Count > 0)
        {
            return;
        }

        var clients = Enumerable.Range(0, _run.Setup.TotalClients)
            .Select(id => (id, id >= _run.Setup.HonestClients, _run.ClassHistograms[id]));
        _commands.Add(new Complete(_recorder.Build(_run.Setup.RunId, _run.Dimension, clients, _clock())));
    }

    /// <summary>A closed round waiting to be recorded, with what its closing measured.</summary>
    private sealed record ClosedRound(RoundCollector Round, int Rows, bool Failed, double TrainSeconds, double AggregationSeconds, double ClosedAt);
}
