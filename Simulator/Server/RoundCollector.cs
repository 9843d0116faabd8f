using ByzantineSim.Aggregators;
using ByzantineSim.Simulator.Faults;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// Collects the replies of one round and decides when it can close. Pure state:
/// <see cref="ServerState"/> feeds it the server's messages. Every reply is checked here
/// (length, finiteness, duplicates, unknown senders), so nothing malformed reaches the
/// aggregation rule unless the policy says so.
/// Honest replies also pass through the run's <see cref="FaultPlan"/>, the simulated network:
/// crashed clients are accounted for from the start, a lost update never counts, and one whose
/// simulated arrival is past the deadline is excluded as late; all of it without a clock.
/// </summary>
public sealed class RoundCollector
{
    private readonly int _dimension;
    private readonly NonFinitePolicy _policy;
    private readonly FaultPlan _faults;
    private readonly double _deadline;
    private readonly HashSet<int> _honest; // never changed after construction (a hash lookup per reply, not an immutable tree's)
    private readonly HashSet<int> _byzantine;
    private readonly SortedDictionary<int, VectorPayload> _accepted = [];
    private readonly Dictionary<int, double> _measures = [];
    private readonly float[]? _rows;
    private readonly Memory<float> _view;
    private readonly Dictionary<int, int> _slots = [];
    private readonly List<(int Slot, VectorPayload Update)> _deferred = [];
    private readonly bool _honestFirst;
    private readonly Dictionary<int, ReplyOutcome> _outcomes = [];
    private readonly SortedDictionary<int, double> _honestLosses = [];
    private readonly SortedDictionary<int, ImmutableArray<float>> _honestStatistics = [];
    private bool _rowsHandedOut;
    private int _honestAnswered;
    private ImmutableHashSet<int>? _silent;
    private double _lastArrival;
    private long _honestBits;
    private double _computeSeconds;
    private double _attackSeconds;
    private double _craftingSeconds;

    // The first honest client whose computation failed: "client 2: IOException: ..." and the
    // exception in full when the trainer sent it; the machine's failure, not a simulated fault.
    private (string Reason, string? Trace)? _honestFailure;

    /// <summary>Floats below which the Byzantine rows are copied on one thread.</summary>
    private const long ParallelCopyThreshold = 1 << 18;

    /// <summary>Starts collecting round <paramref name="round"/>; without a fault plan nothing is lost and everyone is on time.</summary>
    /// <param name="round">The round.</param>
    /// <param name="honest">Honest participants.</param>
    /// <param name="byzantine">Byzantine participants.</param>
    /// <param name="dimension">d.</param>
    /// <param name="policy">What to do with non-finite updates.</param>
    /// <param name="faults">The simulated network, or none.</param>
    /// <param name="deadline">Simulated deadline of the round.</param>
    /// <param name="rows">
    /// The round's matrix (its <see cref="RoundLease.Matrix"/> in a run), at least (participants x d)
    /// values, or empty. The views this collector hands out (<see cref="HandOutHonestRows"/>,
    /// <see cref="HonestRows"/>) are slices of this memory, so they throw once its lease is given back. When given, each accepted
    /// honest update is in its row once it arrives: written there by its trainer (see
    /// <see cref="HandOutHonestRows"/>), or else copied in then, while the other clients still
    /// compute, so closing the round does not copy them all at once (see <see cref="StackedInputs"/>).
    /// Byzantine updates arrive together once every honest one is in, with nothing left to
    /// overlap: they are copied when the round closes, in parallel.
    /// </param>
    public RoundCollector(
        int round,
        IEnumerable<int> honest,
        IEnumerable<int> byzantine,
        int dimension,
        NonFinitePolicy policy,
        FaultPlan? faults = null,
        double deadline = double.PositiveInfinity,
        Memory<float> rows = default)
    {
        Round = round;
        _honest = [.. honest];
        _byzantine = [.. byzantine];
        if (!rows.IsEmpty)
        {
            // One row per participant in client-id order: the order the aggregation sees.
            var participants = _honest.Union(_byzantine).Order().ToList();
            if (rows.Length < (long)participants.Count * dimension)
            {
                throw new ArgumentException($"the round's matrix needs {participants.Count} x {dimension} values, got {rows.Length}", nameof(rows));
            }

            for (int slot = 0; slot < participants.Count; slot++)
            {
                _slots[participants[slot]] = slot;
            }

            _rows = System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(rows, out var segment) && segment.Offset == 0
                ? segment.Array
                : throw new ArgumentException("the round's matrix must be an array from its start", nameof(rows));
            _view = rows;
            _honestFirst = _honest.Count == 0 || _byzantine.Count == 0 || _honest.Max() < _byzantine.Min();
        }

        _dimension = dimension;
        _policy = policy;
        _faults = faults ?? FaultPlan.None;
        _deadline = deadline;
        foreach (int id in _honest.Where(id => _faults.IsCrashed(id, round)))
        {
            Record(id, ReplyOutcome.Crashed);
        }
    }

    /// <summary>
    /// What the round's rule measures of each row against its state, taken of each accepted update
    /// as it arrives (<see cref="IMeasuresRowsOnArrival"/>), or null.
    /// </summary>
    public RowMeasure? ArrivalMeasure { get; init; }

    /// <summary>The round.</summary>
    public int Round { get; }

    /// <summary>Every honest client has replied (or failed).</summary>
    public bool HonestComplete => _honestAnswered == _honest.Count;

    /// <summary>
    /// Every participant has replied, failed, or is known to stay silent, and the coalition has
    /// reported (its <see cref="CoalitionFinished"/> follows its identities' updates and carries
    /// the attack's time).
    /// </summary>
    public bool IsComplete =>
        HonestComplete && (_byzantine.Count == 0 || (_silent is { } silent && _byzantine.All(id => _outcomes.ContainsKey(id) || silent.Contains(id))));

    /// <summary>True when <paramref name="clientId"/> has crash-stopped: it is not asked and sends nothing.</summary>
    public bool IsCrashed(int clientId) => _outcomes.GetValueOrDefault(clientId, ReplyOutcome.Missing) == ReplyOutcome.Crashed;

    /// <summary>
    /// When the round closes in simulated time: the deadline if some participant never delivered
    /// within it (the server waited that long), else the latest arrival.
    /// </summary>
    public double SimulatedSeconds =>
        double.IsFinite(_deadline) && Outcomes().Values.Any(o => o is ReplyOutcome.Missing or ReplyOutcome.Crashed or ReplyOutcome.Lost or ReplyOutcome.Straggled)
            ? _deadline
            : _lastArrival;

    /// <summary>Accepted honest updates, by id (for an omniscient coalition).</summary>
    public ImmutableArray<ClientUpdate> HonestUpdates =>
        [.. _accepted.Where(pair => _honest.Contains(pair.Key)).Select(pair => new ClientUpdate(pair.Key, pair.Value))];

    /// <summary>
    /// The accepted honest updates as rows of the round's matrix, in client-id order, when every
    /// honest participant's update was accepted and their rows come first; otherwise empty (use
    /// <see cref="HonestUpdates"/>). Valid until <see cref="StackedInputs"/> or the next round
    /// that writes the same matrix; in a run, while its reader holds the round's lease.
    /// </summary>
    public ReadOnlyMemory<float> HonestRows =>
        _rows is not null && _honestFirst && _honest.All(_accepted.ContainsKey)
            ? _view[..(_honest.Count * _dimension)]
            : ReadOnlyMemory<float>.Empty;

    /// <summary>
    /// The honest participants' rows of the round's matrix, for their trainers to write their
    /// gradients into (null without a matrix). An update found in its row is not copied again.
    /// </summary>
    public RoundRows? HandOutHonestRows()
    {
        if (_rows is null)
        {
            return null;
        }

        _rowsHandedOut = true;
        return new RoundRows(_view, _dimension, _slots.Where(slot => _honest.Contains(slot.Key)).ToDictionary());
    }

    /// <summary>
    /// True when a trainer may still write into the round's matrix: rows were handed out and an
    /// honest participant has not replied (the round closes on its deadline). The matrix must
    /// then not be compacted in place (its lease keeps a later round from reusing it).
    /// </summary>
    public bool RowsMayStillBeWritten => _rowsHandedOut && !HonestComplete;

    /// <summary>Every accepted update (the server releases them when nothing reads them any more).</summary>
    public IEnumerable<VectorPayload> AcceptedPayloads => _accepted.Values;

    /// <summary>
    /// The mean of the batch-norm running statistics the honest clients whose updates were
    /// accepted sent with them (aggregated batch norm), summed in client id order; those of another
    /// length than <paramref name="length"/> or with NaN/Inf are left out; null when none is left.
    /// </summary>
    public float[]? MeanStatistics(int length)
    {
        var usable = _honestStatistics.Values.Where(s => s.Length == length && s.All(float.IsFinite)).ToList();
        if (usable.Count == 0)
        {
            return null;
        }

        var sum = new double[length];
        foreach (var statistics in usable)
        {
            for (int k = 0; k < length; k++)
            {
                sum[k] += statistics[k];
            }
        }

        return [.. sum.Select(total => (float)(total / usable.Count))];
    }

    /// <summary>Mean minibatch loss of the honest replies (NaN when there are none), summed in client-id order so arrival order cannot change it.</summary>
    public double HonestLoss => _honestLosses.Count == 0 ? double.NaN : _honestLosses.Values.Average();

    /// <summary>Trainer time the honest updates of this round took.</summary>
    public double ComputeSeconds => _computeSeconds;

    /// <summary>Time the coalition's attack took this round.</summary>
    public double AttackSeconds => _attackSeconds;

    /// <summary>What the attack threw this round, or null.</summary>
    public string? AttackFailure { get; private set; }

    /// <summary>The crafting part of <see cref="AttackSeconds"/>.</summary>
    public double CraftingSeconds => _craftingSeconds;

    /// <summary>Bits the honest clients sent this round.</summary>
    public long HonestBits => _honestBits;

    /// <summary>
    /// Honest updates lost to the machine (<see cref="RoundRecord.LostHonest"/>): failed
    /// computations and, once the round has closed, honest participants that never replied (only
    /// the wall-clock <paramref name="timeout"/> closes a round without them); the first reason,
    /// and its exception in full when it was one.
    /// </summary>
    public (int Count, string? Reason, string? Trace) LostHonest(TimeSpan timeout)
    {
        int lost = _honest.Count(id => OutcomeOf(id) is ReplyOutcome.Failed or ReplyOutcome.Missing);
        if (_honestFailure is { } failure)
        {
            return (lost, failure.Reason, failure.Trace);
        }

        var silent = _honest.Where(id => OutcomeOf(id) == ReplyOutcome.Missing).Order().Select(id => (int?)id).FirstOrDefault();
        return (lost, silent is { } first
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"client {first}: no reply within server.round_timeout ({timeout.TotalSeconds:R} s of wall-clock time)")
            : null, null);
    }

    /// <summary>Records a reply and returns what became of it.</summary>
    public ReplyOutcome Submit(UpdateSubmitted reply)
    {
        if (reply.Round != Round)
        {
            return ReplyOutcome.Late;
        }

        if (!_honest.Contains(reply.ClientId) && !_byzantine.Contains(reply.ClientId))
        {
            return ReplyOutcome.UnknownSender;
        }

        if (_outcomes.TryGetValue(reply.ClientId, out var earlier))
        {
            return earlier == ReplyOutcome.Crashed ? ReplyOutcome.Crashed : ReplyOutcome.Duplicate;
        }

        if (_honest.Contains(reply.ClientId))
        {
            var delivery = _faults.Deliver(reply.ClientId, Round);
            var fault = delivery.Lost ? ReplyOutcome.Lost : delivery.Arrival > _deadline ? ReplyOutcome.Straggled : (ReplyOutcome?)null;
            if (fault is { } excluded)
            {
                Record(reply.ClientId, excluded);
                return excluded;
            }

            _lastArrival = Math.Max(_lastArrival, delivery.Arrival);
        }

        var outcome = reply.Update.Length != _dimension ? ReplyOutcome.WrongLength
            : !reply.Update.IsFinite() ? (_policy == NonFinitePolicy.Pass ? ReplyOutcome.AcceptedNonFinite : ReplyOutcome.ExcludedNonFinite)
            : ReplyOutcome.Accepted;
        Record(reply.ClientId, outcome);
        if (outcome is ReplyOutcome.Accepted or ReplyOutcome.AcceptedNonFinite)
        {
            _accepted[reply.ClientId] = reply.Update;
            if (ArrivalMeasure is { } measure)
            {
                _measures[reply.ClientId] = measure(reply.Update.Span);
            }

            if (_rows is not null)
            {
                int slot = _slots[reply.ClientId];
                var row = _rows.AsSpan(slot * _dimension, _dimension);
                if (!_honest.Contains(reply.ClientId))
                {
                    _deferred.Add((slot, reply.Update));
                }
                else if (!reply.Update.Occupies(row))
                {
                    reply.Update.Span.CopyTo(row); // not written in place by its trainer
                }
            }
        }

        if (_honest.Contains(reply.ClientId))
        {
            _honestBits += reply.Bits;
            _computeSeconds += reply.ComputeSeconds;
            if (!reply.Statistics.IsDefault && outcome is ReplyOutcome.Accepted or ReplyOutcome.AcceptedNonFinite)
            {
                _honestStatistics[reply.ClientId] = reply.Statistics;
            }

            if (double.IsFinite(reply.Loss))
            {
                _honestLosses[reply.ClientId] = reply.Loss;
            }
        }

        return outcome;
    }

    /// <summary>
    /// A participant's first outcome, counted when it is honest: the server asks whether the
    /// honest replies are complete after every reply, and scanning the 80 ids of W2 twice per
    /// reply cost 12 us (measured), 1.2 ms of the server's time per round.
    /// </summary>
    private void Record(int clientId, ReplyOutcome outcome)
    {
        if (_outcomes.TryAdd(clientId, outcome) && _honest.Contains(clientId))
        {
            _honestAnswered++;
        }
    }

    /// <summary>Records that a client could not compute its update.</summary>
    public void Fail(UpdateFailed failure)
    {
        if (failure.Round == Round && !_outcomes.ContainsKey(failure.ClientId))
        {
            Record(failure.ClientId, ReplyOutcome.Failed); // a client's first outcome stands
            if (_honest.Contains(failure.ClientId))
            {
                _honestFailure ??= ($"client {failure.ClientId}: {failure.Reason}", failure.Trace);
            }
        }
    }

    /// <summary>Records the coalition's notice of which identities stay silent.</summary>
    public void CoalitionFinished(CoalitionFinished finished)
    {
        if (finished.Round == Round)
        {
            _silent = [.. finished.Silent];
            foreach (int id in finished.Failed)
            {
                Record(id, ReplyOutcome.AttackFailed);
            }

            AttackFailure ??= finished.Failure;
            _attackSeconds = finished.AttackSeconds;
            _craftingSeconds = finished.CraftingSeconds;
        }
    }

    /// <summary>The aggregation inputs: accepted updates ordered by client id, as one n x d matrix.</summary>
    public (float[] Data, int Rows, ImmutableArray<int> ClientIds) Inputs()
    {
        float[] data = [];
        var (rows, ids) = CopyInputs(ref data);
        return (data, rows, ids);
    }

    /// <summary>
    /// The aggregation inputs, accepted updates ordered by client id, in the round's matrix (rows
    /// of participants without an accepted update are closed up, in place): no copy when every
    /// participant's update was accepted. Without a matrix, or while a trainer may still write
    /// into it (<see cref="RowsMayStillBeWritten"/>), a fresh copy as <see cref="Inputs"/>.
    /// </summary>
    public (float[] Data, int Rows, ImmutableArray<int> ClientIds) StackedInputs()
    {
        if (_rows is null || RowsMayStillBeWritten)
        {
            return Inputs();
        }

        // The Byzantine rows: with the trainers idle at the round's close, on every core
        // (W2 copies twenty 0.4 MB rows here, 1 ms on one thread).
        var rows = _rows;
        int dimension = _dimension;
        if ((long)_deferred.Count * dimension < ParallelCopyThreshold)
        {
            _deferred.ForEach(d => d.Update.Span.CopyTo(rows.AsSpan(d.Slot * dimension, dimension)));
        }
        else
        {
            Parallel.ForEach(_deferred, d => d.Update.Span.CopyTo(rows.AsSpan(d.Slot * dimension, dimension)));
        }

        _deferred.Clear();
        int row = 0;
        foreach (int id in _accepted.Keys)
        {
            // Slots follow client ids, so a row only ever moves up: an overlapping copy is safe.
            int slot = _slots[id];
            if (slot != row)
            {
                _rows.AsSpan(slot * _dimension, _dimension).CopyTo(_rows.AsSpan(row * _dimension, _dimension));
            }

            row++;
        }

        return (_rows, row, [.. _accepted.Keys]);
    }

    /// <summary>
    /// Writes the aggregation inputs into <paramref name="buffer"/> (grown when too small, so the
    /// server can reuse one n x d buffer across rounds); returns the rows used and their client ids.
    /// </summary>
    public (int Rows, ImmutableArray<int> ClientIds) CopyInputs(ref float[] buffer)
    {
        ScratchBuffer.Ensure(ref buffer, _accepted.Count * _dimension);
        int row = 0;
        foreach (var update in _accepted.Values)
        {
            update.Span.CopyTo(buffer.AsSpan(row++ * _dimension, _dimension));
        }

        return (_accepted.Count, [.. _accepted.Keys]);
    }

    /// <summary>
    /// The norms of the aggregation inputs, in their order (<see cref="StackedInputs"/>), when every
    /// accepted update's producer measured it (<see cref="VectorPayload.Norm"/>); empty otherwise,
    /// and the rule measures the rows itself.
    /// </summary>
    public double[] InputNorms()
    {
        var norms = new double[_accepted.Count];
        int row = 0;
        foreach (var update in _accepted.Values)
        {
            if (!update.TryGetNorm(out norms[row++]))
            {
                return [];
            }
        }

        return norms;
    }

    /// <summary>The <see cref="ArrivalMeasure"/> of each aggregation input, in their order (<see cref="StackedInputs"/>); empty without one.</summary>
    public double[] InputMeasures() => ArrivalMeasure is null ? [] : [.. _accepted.Keys.Select(id => _measures[id])];

    /// <summary>Per participant, what happened this round; participants without a reply are <see cref="ReplyOutcome.Missing"/>.</summary>
    public ImmutableSortedDictionary<int, ReplyOutcome> Outcomes() =>
        _honest.Union(_byzantine).ToImmutableSortedDictionary(id => id, OutcomeOf);

    /// <summary>A participant's outcome so far: <see cref="ReplyOutcome.Missing"/> until it has one.</summary>
    private ReplyOutcome OutcomeOf(int id) => _outcomes.GetValueOrDefault(id, ReplyOutcome.Missing);
}
