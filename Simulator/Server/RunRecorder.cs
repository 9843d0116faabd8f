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
    // Each client's count of every outcome, inline: no object per client (a million-client run
    // samples hundreds of thousands of them), so the collector has nothing per client to trace.
    private readonly Dictionary<int, OutcomeCounts> _outcomes = [];

    static RunRecorder()
    {
        if (Enum.GetValues<ReplyOutcome>().Max(o => (int)o) >= OutcomeCounts.Capacity)
        {
            throw new InvalidOperationException($"{nameof(ReplyOutcome)} has outcomes past {nameof(OutcomeCounts)}.{nameof(OutcomeCounts.Capacity)}");
        }
    }

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
                _outcomes.TryGetValue(c.Id, out var counts) ? counts.ToDictionary() : ImmutableSortedDictionary<ReplyOutcome, int>.Empty))
            .ToImmutableArray();
        return new RunResult(runId, dimension, [.. _rounds], evaluations.ToImmutable(), clientRecords, elapsed) { HasValidation = _validations.Count > 0, HasAttackSuccess = _attackSuccess.Count > 0 };
    }

    private void Count(int clientId, ReplyOutcome outcome) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_outcomes, clientId, out _)[(int)outcome]++;

    /// <summary>One client's count per <see cref="ReplyOutcome"/>, indexed by the outcome's value.</summary>
    [System.Runtime.CompilerServices.InlineArray(Capacity)]
    private struct OutcomeCounts
    {
        /// <summary>Room for every outcome (checked by <see cref="RunRecorder"/>'s type initialiser: a new outcome past it fails at once, not silently).</summary>
        public const int Capacity = 16;

        private int _first;

        /// <summary>The outcomes counted at least once, in the outcomes' order.</summary>
        public readonly ImmutableSortedDictionary<ReplyOutcome, int> ToDictionary()
        {
            var builder = ImmutableSortedDictionary.CreateBuilder<ReplyOutcome, int>();
            for (int outcome = 0; outcome < Capacity; outcome++)
            {
                if (this[outcome] > 0)
                {
                    builder.Add((ReplyOutcome)outcome, this[outcome]);
                }
            }

            return builder.ToImmutable();
        }
    }
}
