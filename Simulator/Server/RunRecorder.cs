namespace ByzantineSim.Simulator.Server;

/// <summary>
/// Accumulates a run's records as rounds close and evaluations return (in any order), and
/// assembles the <see cref="RunResult"/>. Pure state, owned by <see cref="ServerState"/>.
/// </summary>
public sealed class RunRecorder
{
    private readonly List<RoundRecord> _rounds = [];
    private readonly SortedDictionary<int, (double Accuracy, double Loss, double Seconds)> _evaluations = [];
    private readonly Dictionary<int, (double Accuracy, double Loss)> _validations = [];
    private readonly Dictionary<int, double> _closedAt = [];
    private readonly Dictionary<int, double> _attackSuccess = [];
    private readonly SortedDictionary<int, SortedDictionary<ReplyOutcome, int>> _outcomes = [];

    /// <summary>Records a closed round and every participant's outcome in it.</summary>
    public void RoundClosed(RoundRecord round, IReadOnlyDictionary<int, ReplyOutcome> outcomes, double elapsedSeconds)
    {
        _rounds.Add(round);
        _closedAt[round.Round + 1] = elapsedSeconds;
        foreach (var (client, outcome) in outcomes)
        {
            Count(client, outcome);
        }
    }

    /// <summary>Counts a reply that arrived after its round closed.</summary>
    public void Late(int clientId) => Count(clientId, ReplyOutcome.Late);

    /// <summary>Records the test (or validation) evaluation after <paramref name="round"/> completed rounds.</summary>
    public void Evaluated(int round, bool validation, double accuracy, double loss, double seconds)
    {
        if (validation)
        {
            _validations[round] = (accuracy, loss);
        }
        else
        {
            _evaluations[round] = (accuracy, loss, seconds);
        }
    }

    /// <summary>Records the attack success rate after <paramref name="round"/> completed rounds.</summary>
    public void AttackMeasured(int round, double rate) => _attackSuccess[round] = rate;

    /// <summary>The latest test accuracy so far (NaN when none).</summary>
    public double LastAccuracy => _evaluations.Count == 0 ? double.NaN : _evaluations.Last().Value.Accuracy;

    /// <summary>Assembles the result.</summary>
    public RunResult Build(string runId, int dimension, IEnumerable<(int Id, bool Byzantine, ImmutableArray<int> Histogram)> clients, TimeSpan elapsed)
    {
        var evaluations = ImmutableArray.CreateBuilder<EvaluationRecord>();
        int previous = 0;
        foreach (var (round, (accuracy, loss, seconds)) in _evaluations)
        {
            var interval = _rounds.Where(r => r.Round >= previous && r.Round < round && double.IsFinite(r.TrainLoss)).ToList();
            double trainLoss = interval.Count == 0 ? double.NaN : interval.Average(r => r.TrainLoss);
            var record = new EvaluationRecord(round, trainLoss, accuracy, loss, seconds, _closedAt.GetValueOrDefault(round));
            if (_validations.TryGetValue(round, out var validation))
            {
                record = record with { ValidationAccuracy = validation.Accuracy, ValidationLoss = validation.Loss };
            }

            if (_attackSuccess.TryGetValue(round, out double rate))
            {
                record = record with { AttackSuccessRate = rate };
            }

            evaluations.Add(record);
            previous = round;
        }

        var clientRecords = clients
            .Select(c => new ClientRecord(
                c.Id,
                c.Byzantine,
                c.Histogram,
                _outcomes.TryGetValue(c.Id, out var counts) ? counts.ToImmutableSortedDictionary() : ImmutableSortedDictionary<ReplyOutcome, int>.Empty))
            .ToImmutableArray();
        return new RunResult(runId, dimension, [.. _rounds], evaluations.ToImmutable(), clientRecords, elapsed) { HasValidation = _validations.Count > 0, HasAttackSuccess = _attackSuccess.Count > 0 };
    }

    private void Count(int clientId, ReplyOutcome outcome)
    {
        if (!_outcomes.TryGetValue(clientId, out var counts))
        {
            _outcomes[clientId] = counts = [];
        }

        counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
    }
}
