using System.Diagnostics;
using Akka.Actor;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Server;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Peers;

/// <summary>
/// Runs one peer-to-peer run in simulated synchronous rounds: it asks the trainer pool for every
/// honest peer's gradient at that peer's own model, applies each local step as it arrives, then
/// (all in) lets <see cref="PeerNetwork"/> exchange and mix, and every <c>eval_every</c> rounds
/// evaluates every honest peer's model on the trainer pool (fixed parts per peer, summed in part
/// order). Replies <see cref="RunFinished"/> to whoever sent <see cref="BeginRun"/>. Nothing here
/// depends on arrival order, so results are the same whatever the number of trainers.
/// </summary>
public sealed class PeerNetworkActor : RunDriverActor
{
    private readonly RunContext _run;
    private readonly PeerNetwork _network;
    private readonly Stopwatch _clock = new();
    private readonly List<RoundRecord> _rounds = [];
    private readonly List<EvaluationRecord> _evaluations = [];
    private int _round;
    private int _pending;
    private double _computeSeconds;
    private double _roundStarted;
    private PendingEvaluation[] _evaluating = [];
    private Clients.Training.Evaluation[] _results = [];

    /// <summary>Creates the actor of <paramref name="run"/> (a run with a topology).</summary>
    public PeerNetworkActor(RunContext run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = run;
        _network = new PeerNetwork(run.Setup, run.InitialParameters.Span, run.InitialClientState, run.Transfer);
        Receive<BeginRun>(_ =>
        {
            Begin(Sender);
            _clock.Start();
            Guard(() => Evaluate(0));
        });
        Receive<GradientComputed>(m => Guard(() => Computed(m)));
        Receive<ModelEvaluated>(m => Guard(() => Evaluated(m)));
        Receive<ComputationFailed>(m => Stop(new Status.Failure(new InvalidOperationException($"peer computation {m.Tag} failed: {m.Reason}"))));
    }

    private int Honest => _run.Setup.HonestClients;

    private void StartRound()
    {
        _pending = Honest;
        _computeSeconds = 0;
        _roundStarted = _clock.Elapsed.TotalSeconds;
        for (int peer = 0; peer < Honest; peer++)
        {
            var parameters = VectorPayload.CopyOf(_network.Model(peer));
            _run.Trainers.Tell(new ComputeGradient(_run.Model, parameters, _run.Data.Train, _network.Work(peer, _round), peer), Self);
        }
    }

    private void Computed(GradientComputed computed)
    {
        _network.LocalStep((int)computed.Tag, _round, computed.Gradient, computed.Loss);
        _computeSeconds += computed.Seconds;
        if (--_pending > 0)
        {
            return;
        }

        double trained = _clock.Elapsed.TotalSeconds;
        var record = _network.Exchange(_round);
        double now = _clock.Elapsed.TotalSeconds;
        _rounds.Add(record with
        {
            TrainSeconds = trained - _roundStarted,
            AggregationSeconds = now - trained,
            ComputeSeconds = _computeSeconds,
            ElapsedSeconds = now,
            SimulatedSeconds = _round + 1,
        });
        _round++;
        _run.Progress?.Invoke(new RunProgress(_run.Setup.RunId, _round, _run.Setup.Training.Rounds, _evaluations.Count == 0 ? double.NaN : _evaluations[^1].TestAccuracy));
        if (_round % _run.Setup.Training.EvalEvery == 0 || _round == _run.Setup.Training.Rounds)
        {
            Evaluate(_round);
        }
        else
        {
            StartRound();
        }
    }

    private void Evaluate(int round)
    {
        var test = _run.Data.Test;
        _evaluating = [.. Enumerable.Range(0, Honest).Select(_ => new PendingEvaluation(round, false, test.Count, test.IsRegression))];
        _pending = Honest;
        int parts = _evaluating[0].PartCount;
        for (int peer = 0; peer < Honest; peer++)
        {
            var parameters = VectorPayload.CopyOf(_network.Model(peer));
            for (int part = 0; part < parts; part++)
            {
                var (start, count) = _evaluating[peer].Range(part);
                _run.Trainers.Tell(new EvaluateModel(_run.Model, parameters, test, start, count, ((long)peer * parts) + part), Self);
            }
        }

        _results = new Clients.Training.Evaluation[Honest];
    }

    private void Evaluated(ModelEvaluated evaluated)
    {
        int parts = _evaluating[0].PartCount;
        int peer = (int)(evaluated.Tag / parts), part = (int)(evaluated.Tag % parts);
        if (_evaluating[peer].Complete(part, evaluated.Sums, evaluated.Seconds) is not { } result)
        {
            return;
        }

        _results[peer] = result;
        if (--_pending > 0)
        {
            return;
        }

        int round = _evaluating[0].Round;
        var interval = _rounds.Where(r => r.Round >= (_evaluations.Count == 0 ? 0 : _evaluations[^1].Round) && r.Round < round).ToList();
        _evaluations.Add(new EvaluationRecord(
            round,
            interval.Count == 0 ? double.NaN : interval.Average(r => r.TrainLoss),
            MeanAccuracy(_results, _run.Data.Test.Count),
            _results.Average(r => r.Loss),
            _evaluating.Sum(e => e.Seconds),
            _clock.Elapsed.TotalSeconds)
        {
            PeerAccuracyMin = _results.Min(r => r.Accuracy),
            PeerAccuracyMax = _results.Max(r => r.Accuracy),
            PeerAccuracies = [.. _results.Select(r => r.Accuracy)],
            ConsensusDistance = _network.ConsensusDistance(),
        });
        if (round < _run.Setup.Training.Rounds)
        {
            StartRound();
            return;
        }

        var clients = Enumerable.Range(0, _run.Setup.TotalClients).Select(id => new ClientRecord(
            id, id >= Honest, _run.ClassHistogramOf(id), ImmutableSortedDictionary<ReplyOutcome, int>.Empty));
        Stop(new RunFinished(new RunResult(_run.Setup.RunId, _run.Dimension, [.. _rounds], [.. _evaluations], [.. clients], _clock.Elapsed)
        {
            PeerToPeer = true,
            Messages = [.. _network.Messages],
            BristleWeights = [.. _network.BristleWeights],
        }));
    }

    // The mean over peers as (sum of correct answers) / (peers x samples): one division, so peers
    // that agree give exactly their accuracy (a mean of equal doubles may drift in the last bit).
    private static double MeanAccuracy(Clients.Training.Evaluation[] results, int samples) =>
        results.Any(r => !double.IsFinite(r.Accuracy))
            ? results.Average(r => r.Accuracy)
            : results.Sum(r => Math.Round(r.Accuracy * samples)) / ((double)results.Length * samples);
}
