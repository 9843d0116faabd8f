using System.Diagnostics;
using Akka.Actor;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Server;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Asynchrony;

/// <summary>
/// Runs one asynchronous run: a thin shell over <see cref="AsyncServer"/>. It asks the trainer
/// pool for every honest job as soon as the model version it starts from exists, hands results
/// back in any order, and lets the server apply arrivals in schedule order; every
/// <c>eval_every</c> server steps it evaluates that step's model (fixed parts, summed in part
/// order). Replies <see cref="RunFinished"/> to whoever sent <see cref="BeginRun"/>. Simulated
/// time, not the trainers' speed, orders everything, so results do not depend on parallelism.
/// </summary>
public sealed class AsyncServerActor : RunDriverActor
{
    private readonly RunContext _run;
    private readonly AsyncServer _server;
    private readonly RunRecorder _recorder = new();
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<long, (PendingEvaluation Evaluation, int Part)> _evaluationParts = [];
    private long _nextEvaluationTag;
    private int _stepsDone;

    /// <summary>Creates the actor of <paramref name="run"/> (a run with <c>asynchrony</c>).</summary>
    public AsyncServerActor(RunContext run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = run;
        var settings = run.Setup.Asynchrony ?? throw new ArgumentException("the run is not asynchronous", nameof(run));
        var schedule = ArrivalSchedule.Build(settings, run.Setup.HonestClients, run.Setup.ByzantineClients, run.Setup.Training.Rounds);
        _server = new AsyncServer(run.Setup, schedule, run.InitialParameters.Span, run.InitialClientState);
        Receive<BeginRun>(_ =>
        {
            Begin(Sender);
            _clock.Start();
            Guard(() =>
            {
                Evaluate(0, _server.Optimizer.Parameters);
                Submit(0);
                Advance();
            });
        });
        Receive<GradientComputed>(m => Guard(() =>
        {
            _server.Computed((int)m.Tag, m.Gradient, m.Loss);
            Advance();
        }));
        Receive<ModelEvaluated>(m => Guard(() => Evaluated(m.Tag, m.Sums, m.Seconds)));
        Receive<ComputationFailed>(m => Stop(new Status.Failure(new InvalidOperationException($"asynchronous computation {m.Tag} failed: {m.Reason}"))));
    }

    private void Submit(int version)
    {
        foreach (var (arrival, parameters, work) in _server.JobsOf(version))
        {
            _run.Trainers.Tell(new ComputeGradient(_run.Model, parameters, _run.Data.Train, work, arrival.Index), Self);
        }
    }

    private void Advance()
    {
        var training = _run.Setup.Training;
        foreach (var step in _server.Advance())
        {
            var round = step.Round with { ElapsedSeconds = _clock.Elapsed.TotalSeconds };
            _recorder.RoundClosed(round, step.Outcomes, round.ElapsedSeconds);
            _stepsDone = round.Round + 1;
            if (_stepsDone % training.EvalEvery == 0 || _stepsDone == training.Rounds)
            {
                Evaluate(_stepsDone, step.Model);
            }

            if (_stepsDone < training.Rounds)
            {
                Submit(_stepsDone);
            }

            _run.Progress?.Invoke(new RunProgress(_run.Setup.RunId, _stepsDone, training.Rounds, _recorder.LastAccuracy));
        }

        TryFinish();
    }

    private void Evaluate(int round, VectorPayload model)
    {
        var test = _run.Data.Test;
        var evaluation = new PendingEvaluation(round, false, test.Count, test.IsRegression);
        for (int part = 0; part < evaluation.PartCount; part++)
        {
            var (start, count) = evaluation.Range(part);
            long tag = _nextEvaluationTag++;
            _evaluationParts.Add(tag, (evaluation, part));
            _run.Trainers.Tell(new EvaluateModel(_run.Model, model, test, start, count, tag), Self);
        }
    }

    private void Evaluated(long tag, Clients.Training.EvaluationSums sums, double seconds)
    {
        if (!_evaluationParts.Remove(tag, out var entry))
        {
            return;
        }

        if (entry.Evaluation.Complete(entry.Part, sums, seconds) is { } result)
        {
            _recorder.Evaluated(entry.Evaluation.Round, false, result.Accuracy, result.Loss, entry.Evaluation.Seconds);
        }

        TryFinish();
    }

    private void TryFinish()
    {
        if (_stepsDone < _run.Setup.Training.Rounds || _evaluationParts.Count > 0)
        {
            return;
        }

        var clients = Enumerable.Range(0, _run.Setup.TotalClients).Select(id => (id, id >= _run.Setup.HonestClients, _run.ClassHistogramOf(id)));
        var result = _recorder.Build(_run.Setup.RunId, _run.Dimension, clients, _clock.Elapsed);
        Stop(new RunFinished(result with
        {
            Clients = [.. result.Clients.Select(c => c with { Role = _run.RoleOf(c.ClientId) })],
            Asynchronous = true,
            Arrivals = [.. _server.Records],
            MostVersionsHeld = _server.MostVersionsHeld,
        }));
    }
}
