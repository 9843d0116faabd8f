using ByzantineSim.Aggregators;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The parameter server's logic as a state machine: <see cref="Apply"/> takes an event (a
/// message the server received) and returns the state and the <see cref="ServerCommand"/>s its
/// actor must execute, in order. It holds round progress (<see cref="RoundCollector"/>), closing
/// and aggregation, the step (<see cref="ServerOptimizer"/>), evaluation scheduling
/// (<see cref="PendingEvaluation"/>) and the records (<see cref="RunRecorder"/>); it never touches
/// Akka. It owns the run's <see cref="RoundArena"/>: each round's matrix, theta and payloads are
/// leased, held by whoever was sent them, and given back when the last holder's message arrives
/// (a reply or failure per client, the coalition's finish, each evaluation part's result, and the
/// round's record for the server). Its parts are mutable, so <see cref="Apply"/> returns this
/// same instance: the state is owned solely by one actor or test, which must not use it after a
/// <see cref="Complete"/> or <see cref="Fail"/>.
/// </summary>
public sealed class ServerState
{
    private readonly RunContext _run;
    private readonly Func<TimeSpan> _clock;
    private readonly AggregationPipeline _pipeline;
    private readonly RunRecorder _recorder = new();
    private readonly Dictionary<long, (PendingEvaluation Evaluation, int Part, int Epoch)> _evaluationParts = [];
    private readonly RoundArena _arena;
    private readonly float[] _aggregate;
    private readonly float[] _stepScratch;
    private readonly Stack<ClosedRound> _toRecord = new();
    private readonly List<ServerCommand> _commands = [];
    private long _nextEvaluationTag;
    private ServerOptimizer _optimizer;
    private ImmutableArray<float> _statistics;
    private AggregatorState? _aggregatorState;
    private readonly RowVerdicts _verdicts = new();
    private readonly float[] _serverUpdate;
    private readonly double[]? _clientWeights;
    private int _serverUpdateRound = -1;
    private RoundCollector? _round;
    private ImmutableHashSet<int> _roundByzantine = [];
    private readonly Dictionary<int, int> _byzantineRounds = [];
    private readonly Dictionary<int, AggregationPipeline> _pipelinesByCount = [];
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
        _arena = new RoundArena(RoundArena.CapacityFor(run.Setup.Training.ParticipantsPerRound(run.Setup.TotalClients), run.Dimension));
        _pipeline = run.Setup.CreatePipeline();
        _optimizer = new ServerOptimizer(run.InitialParameters, null);
        _statistics = run.Model.Definition.BatchNorm == Clients.Models.BatchNormMode.Aggregated ? run.InitialStatistics : default;
        _aggregate = new float[run.Dimension];
        _stepScratch = new float[run.Dimension];
        _serverUpdate = run.ServerData is null ? [] : new float[run.Dimension];
        _clientWeights = run.Setup.Training.Weighting == UpdateWeighting.Samples ? run.SampleWeights() : null;
    }

    /// <summary>The round being collected, or -1 between rounds and after the last.</summary>
    public int Round => _round?.Round ?? -1;

    /// <summary>The run's memory: which rounds' leases are still held, and by whom.</summary>
    public RoundArena Arena => _arena;

    private bool HasCoalition => _run.Setup.ByzantineClients > 0 || _run.Setup.Identities.Changes;

    private double Now => _clock().TotalSeconds;

    /// <summary>
    /// Applies one event: <see cref="BeginRun"/>, <see cref="UpdateSubmitted"/>,
    /// <see cref="UpdateFailed"/>, <see cref="CoalitionFinished"/>, <see cref="CoalitionLeftRound"/>, <see cref="RoundDeadlinePassed"/>,
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
                _arena.OpenParameters(0, Holder.Server);
                StartEvaluation(0);
                StartRound(0);
                break;
            case UpdateSubmitted reply when _round is null || reply.Round != _round.Round:
                _recorder.Late(reply.ClientId);
                _arena.Let(reply.Round, Holder.Client(reply.ClientId));
                break;
            case UpdateSubmitted reply:
                _round!.Submit(reply);
                _arena.Let(reply.Round, Holder.Client(reply.ClientId));
                _lastReplyAt = Now;
                Progress();
                break;
            case UpdateFailed failure:
                _round?.Fail(failure);
                _arena.Let(failure.Round, Holder.Client(failure.ClientId));
                Progress();
                break;
            case CoalitionFinished finished:
                _round?.CoalitionFinished(finished);
                _arena.Let(finished.Round, Holder.Coalition);
                Progress();
                break;
            case CoalitionLeftRound left:
                _arena.Let(left.Round, Holder.Coalition);
                break;
            case RoundDeadlinePassed deadline when _round?.Round == deadline.Round:
                CloseRound();
                break;
            case RoundDeadlinePassed:
                break;
            case ModelEvaluated evaluated:
                EvaluationPartDone(evaluated.Tag, evaluated.Sums, evaluated.Seconds);
                break;
            case ServerUpdateComputed computed:
                ServerUpdateArrived(computed);
                _arena.Let(computed.Round, Holder.Client(Participants.ServerDataClient.Id));
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
        var roster = _run.ByzantineAt(round);
        _roundByzantine = [.. roster];
        foreach (int id in roster)
        {
            _byzantineRounds[id] = _byzantineRounds.GetValueOrDefault(id) + 1;
        }

        var honest = participants.Where(id => !_roundByzantine.Contains(id)).ToList();
        var byzantine = participants.Where(_roundByzantine.Contains).ToList();
        // theta_t's lease was opened when the previous round closed (round 0's at the start).
        var lease = _arena.Open(round, Holder.Server);
        var parameters = _arena.FindParameters(round) ?? throw new InvalidOperationException($"theta_{round} has no lease");
        var matrix = lease.AllocateMatrix(participants.Length * _run.Dimension);

        // One round at a time: the state the rule measures against now is the one it gets at the close.
        _round = new RoundCollector(
            round, honest, byzantine, _run.Dimension, _run.Setup.Server.NonFinite, _run.Faults, _run.Setup.Server.Deadline, matrix)
        {
            ArrivalMeasure = PipelineOfRound().ArrivalMeasure(_aggregatorState, _run.Dimension),
        };
        _revealed = false;
        _roundStartedAt = _lastReplyAt = Now;
        var started = new RoundStarted(round, _optimizer.Parameters, participants, _round.HandOutHonestRows())
        {
            Buffers = lease,
            Statistics = _statistics,
            Byzantine = _run.Setup.Identities.Changes ? roster : default,
        };
        foreach (int id in honest)
        {
            // A crashed client is down: it is not asked, and the collector already counts it.
            if (!_round.IsCrashed(id))
            {
                lease.Hold(Holder.Client(id));
                parameters.Hold(Holder.Client(id));
                _commands.Add(new TellClient(id, started));
            }
        }

        if (HasCoalition)
        {
            lease.Hold(Holder.Coalition);
            parameters.Hold(Holder.Coalition);
            _commands.Add(new TellCoalition(started));
        }

        if (_run.ServerData is not null)
        {
            lease.Hold(Holder.Client(Participants.ServerDataClient.Id));
            parameters.Hold(Holder.Client(Participants.ServerDataClient.Id));
            _commands.Add(new TellServerData(started));
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

        if (_round.IsComplete && (_run.ServerData is null || _serverUpdateRound == _round.Round))
        {
            CloseRound();
        }
    }

    /// <summary>
    /// The server's own update (run with server_data): copied, so its payload goes back at once;
    /// the round waits for it. A failed computation leaves the round without one: it closes on
    /// its deadline, and a rule that needs the update fails that round's aggregation.
    /// </summary>
    private void ServerUpdateArrived(ServerUpdateComputed computed)
    {
        if (_round?.Round == computed.Round && computed.Update.Length == _serverUpdate.Length)
        {
            computed.Update.Span.CopyTo(_serverUpdate);
            _serverUpdateRound = computed.Round;
            Progress();
        }

        computed.Update.Release();
    }

    /// <summary>Aggregates and steps, starts what follows (an evaluation due, the next round), and asks for the round to be recorded after that.</summary>
    private void CloseRound()
    {
        var round = _round!;
        _round = null;
        _commands.Add(new CancelTimeout());
        double aggregationStart = Now;
        var (inputs, rows, clients) = round.StackedInputs();

        // theta_{t+1} lives in the next round's lease: it is read by that round's clients and
        // coalition and by the evaluations due, all of which hold that lease.
        var next = _arena.OpenParameters(round.Round + 1, Holder.Server);
        bool failed = false;
        RoundDetection? detection = null;
        try
        {
            // A fresh array only when it becomes the model; otherwise one buffer serves every round.
            var aggregate = _run.Setup.Training.SendModel ? new float[_run.Dimension] : _aggregate;
            _verdicts.Clear();
            var context = new AggregationContext(round.Round, Seed.Derive(_run.Setup.Seed, "aggregation", round.Round), _aggregatorState)
            {
                Clients = clients.AsMemory(),
                Verdicts = _verdicts,
                ServerUpdate = _serverUpdateRound == round.Round ? _serverUpdate : ReadOnlyMemory<float>.Empty,
                Weights = _clientWeights is null ? ReadOnlyMemory<double>.Empty : clients.Select(id => _clientWeights[id]).ToArray(),
                StatePool = _arena.Pool,
                RowNorms = round.InputNorms(),
                ArrivalMeasures = round.InputMeasures(),
            };
            var pipeline = PipelineOfRound();
            _aggregatorState = AggregatorState.Replace(
                _aggregatorState,
                pipeline.Aggregate(new RowMatrix(inputs.AsSpan(0, rows * _run.Dimension), rows, _run.Dimension), aggregate, context));
            detection = pipeline.Detects ? RoundDetection.Of(_verdicts.Flags, clients, _roundByzantine.Contains) : null;
            _optimizer = _run.Setup.Training.SendModel
                ? new ServerOptimizer(VectorPayload.TakeOwnership(aggregate), null) // clients sent models: the aggregate is the model
                : _optimizer.Step(aggregate, round.Round, _run.Setup.Training, _stepScratch, next);

            // Aggregated batch norm: the next model's running statistics are the honest clients' mean (kept when none came).
            if (!_statistics.IsDefault && round.MeanStatistics(_statistics.Length) is { } mean)
            {
                _statistics = ImmutableArray.Create(mean);
            }
        }
        catch (AggregationException)
        {
            // Too few usable updates for the rule: keep theta (a copy in the next round's lease,
            // since this round's goes back once it is recorded) and record the failure.
            failed = true;
            var kept = next.Rent(_run.Dimension);
            _optimizer.Parameters.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsMemory(kept.Memory).Span);
            _optimizer = _optimizer with { Parameters = kept };
        }

        double now = Now;
        _toRecord.Push(new ClosedRound(round, rows, failed, _lastReplyAt - _roundStartedAt, now - aggregationStart, now) { Detection = detection });

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

    /// <summary>
    /// The pipeline of the round being closed: the run's, or, when the server is told a
    /// Byzantine count that changes from round to round, one built for this round's count.
    /// </summary>
    private AggregationPipeline PipelineOfRound()
    {
        if (_run.Setup.CreatePipelineFor is not { } create)
        {
            return _pipeline;
        }

        int count = _roundByzantine.Count;
        if (!_pipelinesByCount.TryGetValue(count, out var pipeline))
        {
            _pipelinesByCount[count] = pipeline = create(count);
        }

        return pipeline;
    }

    private void Record(ClosedRound closed)
    {
        var round = closed.Round;
        _arena.Let(round.Round, Holder.Server); // the others that read or write its memory hold it on their own
        var outcomes = round.Outcomes();
        var tally = outcomes.Values.CountBy(o => o).ToDictionary();
        int Count(params ReplyOutcome[] kinds) => kinds.Sum(kind => tally.GetValueOrDefault(kind));
        var (lost, lostReason, lostTrace) = round.LostHonest(_run.Setup.Server.RoundTimeout);
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
                LostHonest = lost,
                LostHonestReason = lostReason,
                LostHonestTrace = lostTrace,
                SimulatedSeconds = round.SimulatedSeconds,
                ElapsedSeconds = closed.ClosedAt,
                ComputeSeconds = round.ComputeSeconds,
                AttackSeconds = round.AttackSeconds,
                CraftingSeconds = round.CraftingSeconds,
                Detection = closed.Detection,
            },
            outcomes,
            closed.ClosedAt);

        int completed = round.Round + 1;
        _commands.Add(new ReportProgress(new RunProgress(_run.Setup.RunId, completed, _run.Setup.Training.Rounds, _recorder.LastAccuracy)));
        if (completed == _run.Setup.Training.Rounds)
        {
            _roundsDone = true;
            _arena.Let(completed, Holder.Server); // the final theta's lease: its evaluation parts hold it
            TryFinish();
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
            _evaluationParts.Add(tag, (evaluation, part, round));
            _arena.FindParameters(round)?.Hold(Holder.Evaluation(tag));
            _commands.Add(new StartEvaluationPart(new EvaluateModel(_run.Model, _optimizer.Parameters, data, start, count, tag) { Statistics = _statistics }));
        }
    }

    /// <summary>A part of an evaluation came back (<paramref name="sums"/> null: it failed).</summary>
    private void EvaluationPartDone(long tag, Clients.Training.EvaluationSums? sums, double seconds)
    {
        if (!_evaluationParts.Remove(tag, out var entry))
        {
            return;
        }

        _arena.Let(entry.Epoch, Holder.Evaluation(tag));
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
            .Select(id => (id, _byzantineRounds.ContainsKey(id), _run.ClassHistogramOf(id)));
        var result = _recorder.Build(_run.Setup.RunId, _run.Dimension, clients, _clock());
        result = result with
        {
            Clients = [.. result.Clients.Select(c => c with { Role = _run.RoleOf(c.ClientId), ByzantineRounds = _byzantineRounds.GetValueOrDefault(c.ClientId) })],
        };
        _commands.Add(new Complete(result));
    }

    /// <summary>A closed round waiting to be recorded, with what its closing measured.</summary>
    private sealed record ClosedRound(RoundCollector Round, int Rows, bool Failed, double TrainSeconds, double AggregationSeconds, double ClosedAt)
    {
        /// <summary>What a detecting rule concluded, or null.</summary>
        public RoundDetection? Detection { get; init; }
    }
}
