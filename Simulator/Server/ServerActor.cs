using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using ByzantineSim.Aggregators;
using ByzantineSim.Core.Numerics;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The parameter server of one run, and the run's owner: it creates the clients and the
/// coalition, drives the rounds, aggregates, steps, evaluates, and replies
/// <see cref="RunFinished"/> to whoever sent <see cref="BeginRun"/>. The decisions live in
/// <see cref="RoundCollector"/>, <see cref="ServerOptimizer"/> and <see cref="RunRecorder"/>;
/// this class only routes messages between them.
/// </summary>
public sealed class ServerActor : ReceiveActor, IWithTimers
{
    private readonly RunContext _run;
    private readonly AggregationPipeline _pipeline;
    private readonly RunRecorder _recorder = new();
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<int, IActorRef> _honest = [];
    private readonly Dictionary<long, (PendingEvaluation Evaluation, int Part, VectorPayload Parameters)> _evaluationParts = [];
    private long _nextEvaluationTag;
    private IActorRef? _coalition;
    private IActorRef _requester = ActorRefs.Nobody;
    private ServerOptimizer _optimizer;
    private AggregatorState? _aggregatorState;
    private RoundCollector? _round;
    private bool _revealed;
    private readonly float[][] _roundMatrices = [[], []];
    private float[] _aggregate = [];
    private List<VectorPayload> _retiring = [];
    private readonly List<VectorPayload> _oldParameters = [];
    private float[] _stepScratch = [];
    private bool _roundsDone;
    private double _roundStartedAt;
    private double _lastReplyAt;

    /// <summary>Creates the server of <paramref name="run"/>.</summary>
    public ServerActor(RunContext run)
    {
        _run = run;
        _pipeline = run.Setup.CreatePipeline();
        _optimizer = new ServerOptimizer(run.InitialParameters, null);
        _aggregate = new float[run.Dimension];
        _stepScratch = new float[run.Dimension];

        Receive<BeginRun>(_ => Guard(() =>
        {
            _requester = Sender;
            _clock.Start();
            StartEvaluation(0);
            StartRound(0);
        }));
        Receive<UpdateSubmitted>(reply => Guard(() =>
        {
            if (_round is null || reply.Round != _round.Round)
            {
                _recorder.Late(reply.ClientId);
                return;
            }

            _round.Submit(reply);
            _lastReplyAt = _clock.Elapsed.TotalSeconds;
            Progress();
        }));
        Receive<UpdateFailed>(failure => Guard(() =>
        {
            _round?.Fail(failure);
            Progress();
        }));
        Receive<CoalitionFinished>(finished => Guard(() =>
        {
            _round?.CoalitionFinished(finished);
            Progress();
        }));
        Receive<RoundDeadlinePassed>(deadline => Guard(() =>
        {
            if (_round?.Round == deadline.Round)
            {
                CloseRound();
            }
        }));
        Receive<ModelEvaluated>(evaluated => Guard(() => EvaluationPartDone(evaluated.Tag, evaluated.Sums, evaluated.Seconds)));
        Receive<ComputationFailed>(failed => Guard(() => EvaluationPartDone(failed.Tag, null, 0)));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        var setup = _run.Setup;
        var clientContext = new ClientContext(Self, _run.Trainers, _run.Model, _run.Data.Train, setup.Training, setup.Compressor, setup.Privacy);
        for (int id = 0; id < setup.HonestClients; id++)
        {
            // Props.Create(Type, args) avoids compiling an expression tree per actor, which
            // dominates start-up with thousands of clients.
            _honest[id] = Context.ActorOf(
                Props.Create(typeof(HonestClientActor), clientContext, _run.InitialClientState(id)),
                $"client-{id}");
        }

        if (setup.ByzantineClients > 0)
        {
            var settings = new CoalitionSettings(
                setup.Attack,
                setup.Threat,
                [.. _run.ByzantineIds],
                setup.TotalClients,
                _run.Dimension,
                setup.Seed,
                setup.Threat.KnowsAggregator ? setup.CreatePipeline() : null);
            _coalition = Context.ActorOf(
                Props.Create(() => new CoalitionActor(
                    settings,
                    Self,
                    (id, coalition) => Props.Create(typeof(ByzantineClientActor), clientContext, _run.InitialClientState(id), coalition))),
                "coalition");
        }
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() =>
        // A client that throws is stopped and from then on counts as missing (crash-stop), never restarted with lost state.
        new OneForOneStrategy(_ => Directive.Stop);

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
        _roundStartedAt = _lastReplyAt = _clock.Elapsed.TotalSeconds;
        var started = new RoundStarted(round, _optimizer.Parameters, participants, _round.HandOutHonestRows());
        foreach (int id in honest)
        {
            // A crashed client is down: it is not asked, and the collector already counts it.
            if (!_round.IsCrashed(id))
            {
                _honest[id].Tell(started);
            }
        }

        _coalition?.Tell(started);
        Timers.StartSingleTimer("deadline", new RoundDeadlinePassed(round), _run.Setup.Server.RoundTimeout);
        Progress();
    }

    private void Progress()
    {
        if (_round is null)
        {
            return;
        }

        if (!_revealed && _round.HonestComplete && _run.Setup.Threat.Omniscient && _coalition is not null)
        {
            _revealed = true;
            _coalition.Tell(new HonestUpdatesRevealed(_round.Round, _optimizer.Parameters, _round.HonestUpdates, _round.HonestRows));
        }

        if (_round.IsComplete)
        {
            CloseRound();
        }
    }

    private void CloseRound()
    {
        var round = _round!;
        _round = null;
        Timers.Cancel("deadline");
        double aggregationStart = _clock.Elapsed.TotalSeconds;
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

        double now = _clock.Elapsed.TotalSeconds;
        double trainSeconds = _lastReplyAt - _roundStartedAt;

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

        RetireUpdates(round);
        var outcomes = round.Outcomes();
        _recorder.RoundClosed(
            new RoundRecord(
                round.Round,
                round.HonestLoss,
                rows,
                outcomes.Values.Count(o => o is ReplyOutcome.WrongLength or ReplyOutcome.ExcludedNonFinite or ReplyOutcome.Failed or ReplyOutcome.AttackFailed),
                outcomes.Values.Count(o => o is ReplyOutcome.Missing or ReplyOutcome.Crashed or ReplyOutcome.Lost or ReplyOutcome.Straggled),
                failed,
                trainSeconds,
                now - aggregationStart)
            {
                Sampled = outcomes.Count,
                BitsSent = round.HonestBits,
                Crashed = outcomes.Values.Count(o => o == ReplyOutcome.Crashed),
                Lost = outcomes.Values.Count(o => o == ReplyOutcome.Lost),
                Straggled = outcomes.Values.Count(o => o == ReplyOutcome.Straggled),
                AttackFailed = outcomes.Values.Count(o => o == ReplyOutcome.AttackFailed),
                AttackFailure = round.AttackFailure,
                SimulatedSeconds = round.SimulatedSeconds,
                ElapsedSeconds = now,
                ComputeSeconds = round.ComputeSeconds,
                AttackSeconds = round.AttackSeconds,
                CraftingSeconds = round.CraftingSeconds,
            },
            outcomes,
            now);

        _run.Progress?.Invoke(new RunProgress(_run.Setup.RunId, completed, training.Rounds, _recorder.LastAccuracy));
        if (completed == training.Rounds)
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
    }

    /// <summary>Sends the evaluation out in parts, so that idle trainers share it.</summary>
    private void Evaluate(int round, bool validation, Clients.Data.Dataset data)
    {
        var evaluation = new PendingEvaluation(round, validation, data.Count, data.IsRegression);
        for (int part = 0; part < evaluation.PartCount; part++)
        {
            var (start, count) = evaluation.Range(part);
            long tag = _nextEvaluationTag++;
            _evaluationParts.Add(tag, (evaluation, part, _optimizer.Parameters));
            _run.Trainers.Tell(new EvaluateModel(_run.Model, _optimizer.Parameters, data, start, count, tag), Self);
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
            _recorder.Evaluated(evaluation.Round, evaluation.Validation, result.Accuracy, result.Loss, evaluation.Seconds);
        }

        TryFinish();
    }

    private void TryFinish()
    {
        if (!_roundsDone || _evaluationParts.Count > 0)
        {
            return;
        }

        var clients = Enumerable.Range(0, _run.Setup.TotalClients)
            .Select(id => (id, id >= _run.Setup.HonestClients, _run.ClassHistograms[id]));
        _requester.Tell(new RunFinished(_recorder.Build(_run.Setup.RunId, _run.Dimension, clients, _clock.Elapsed)));
        Context.Stop(Self);
    }

    /// <summary>Any unexpected error fails the run explicitly instead of restarting the server with lost state.</summary>
    private void Guard(Action action)
    {
        try
        {
            action();
        }
#pragma warning disable CA1031 // Reported to the requester as the run's failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _requester.Tell(new Status.Failure(ex));
            Context.Stop(Self);
        }
    }
}

/// <summary>Starts the run (sent once by <see cref="SimulatorSystem.RunAsync"/>).</summary>
public sealed record BeginRun;

/// <summary>The run is over.</summary>
/// <param name="Result">What it measured.</param>
public sealed record RunFinished(RunResult Result);
