using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Server;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Asynchrony;

/// <summary>
/// The pure state of an asynchronous run: the model versions still needed, the honest clients'
/// states, FedBuff's buffer and the Byzantine coalition's attack state. It applies the
/// <see cref="ArrivalSchedule"/>'s arrivals strictly in schedule order, each once the trainer's
/// result for it is in (<see cref="Computed"/>, in any order); <see cref="Advance"/> returns the
/// server steps completed. A stale model version is a copy held here, outside any round arena,
/// until the last arrival computed from it is applied (<see cref="ArrivalSchedule.LastUse"/>).
/// Owned by one <see cref="AsyncServerActor"/>; tests drive it directly.
/// </summary>
public sealed class AsyncServer
{
    private readonly RunSetup _setup;
    private readonly AsynchronySettings _settings;
    private readonly ClientState[] _clients;
    private readonly EpochOrders[] _epochs;
    private readonly Dictionary<int, VectorPayload> _versions = [];
    private readonly Dictionary<int, (VectorPayload Gradient, double Loss)> _computed = [];
    private readonly ILookup<int, Arrival> _jobsByVersion;
    private readonly AggregationPipeline _pipeline;
    private readonly AggregationPipeline? _coalitionPipeline;
    private readonly SortedDictionary<int, VectorPayload> _latestHonest = [];
    private readonly List<Buffered> _buffer = [];
    private readonly List<ArrivalRecord> _records = [];
    private readonly float[] _scratch;
    private AggregatorState? _ruleState;
    private AttackState? _attackState;
    private int _next;

    /// <summary>Starts at <paramref name="initial"/> (version 0) with every honest client in <paramref name="initialState"/>.</summary>
    public AsyncServer(RunSetup setup, ArrivalSchedule schedule, ReadOnlySpan<float> initial, Func<int, ClientState> initialState)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(initialState);
        _setup = setup;
        _settings = setup.Asynchrony ?? throw new ArgumentException("the run is not asynchronous", nameof(setup));
        Schedule = schedule;
        _clients = [.. Enumerable.Range(0, setup.HonestClients).Select(initialState)];
        _epochs = [.. Enumerable.Range(0, setup.HonestClients).Select(_ => new EpochOrders())];
        _jobsByVersion = schedule.Arrivals.Where(a => !a.Byzantine).ToLookup(a => a.BaseVersion);
        _pipeline = setup.CreatePipeline();
        _coalitionPipeline = setup.Threat.KnowsAggregator ? setup.CreatePipeline() : null; // as the synchronous coalition gets it
        _versions[0] = VectorPayload.CopyOf(initial);
        Optimizer = new ServerOptimizer(_versions[0], null);
        _scratch = new float[initial.Length];
    }

    /// <summary>The run's arrivals.</summary>
    public ArrivalSchedule Schedule { get; }

    /// <summary>The server's optimizer; its parameters are the newest version.</summary>
    public ServerOptimizer Optimizer { get; private set; }

    /// <summary>The newest model version (server steps completed).</summary>
    public int Version { get; private set; }

    /// <summary>Model versions held now (the newest and the stale ones some client still trains on).</summary>
    public int VersionsHeld => _versions.Count;

    /// <summary>The most versions held at once so far.</summary>
    public int MostVersionsHeld { get; private set; } = 1;

    /// <summary>Every applied arrival so far.</summary>
    public IReadOnlyList<ArrivalRecord> Records => _records;

    private int Dimension => _scratch.Length;

    private int Buffer => _settings.Mode == AsyncMode.Sync ? _setup.TotalClients : _settings.Buffer;

    /// <summary>The honest jobs computed from version <paramref name="version"/>: what to ask the trainers once it exists.</summary>
    public IEnumerable<(Arrival Arrival, VectorPayload Parameters, Clients.Training.LocalWork Work)> JobsOf(int version) =>
        _jobsByVersion[version].Select(a => (a, _versions[version], _clients[a.Client].Work(a.Job, _setup.Training, null, _epochs[a.Client])));

    /// <summary>The trainer's result for honest arrival <paramref name="arrival"/>.</summary>
    public void Computed(int arrival, VectorPayload gradient, double loss) => _computed[arrival] = (gradient, loss);

    /// <summary>Applies every arrival whose result is in, in schedule order; returns the records of the server steps completed.</summary>
    public IReadOnlyList<CompletedStep> Advance()
    {
        var completed = new List<CompletedStep>();
        while (_next < Schedule.Arrivals.Length)
        {
            var arrival = Schedule.Arrivals[_next];
            if (!arrival.Byzantine && !_computed.ContainsKey(arrival.Index))
            {
                break;
            }

            var entry = Receive(arrival);
            _buffer.Add(entry);
            if (_settings.Mode == AsyncMode.FedAsync || _buffer.Count == Buffer)
            {
                var (record, outcomes) = _settings.Mode == AsyncMode.FedAsync ? Mix(entry) : Aggregate();
                completed.Add(new CompletedStep(record, outcomes, Optimizer.Parameters));
                _buffer.Clear();
            }

            _next++;
            Release();
        }

        return completed;
    }

    // An honest update as the client sends it (momentum, compression, privacy as in a synchronous round); a Byzantine one is crafted later.
    private Buffered Receive(Arrival arrival)
    {
        if (arrival.Byzantine)
        {
            return new Buffered(arrival, null, double.NaN, 0);
        }

        _computed.Remove(arrival.Index, out var computed);
        var (state, update, bits) = _clients[arrival.Client].Prepare(
            arrival.Job, computed.Gradient, _versions[arrival.BaseVersion], _setup.Training, _setup.Compressor, _setup.Privacy);
        _clients[arrival.Client] = state;
        _latestHonest[arrival.Client] = update;
        return new Buffered(arrival, update, computed.Loss, bits);
    }

    // FedAsync: x_t = (1 - a) x_{t-1} + a x_new, x_new = x_tau - lr (u + wd x_tau), a = alpha s(t - tau).
    private (RoundRecord, IReadOnlyDictionary<int, ReplyOutcome>) Mix(Buffered entry)
    {
        var arrival = entry.Arrival;
        var update = entry.Update;
        var outcome = ReplyOutcome.Accepted;
        if (arrival.Byzantine)
        {
            var crafted = CraftAlone(arrival);
            update = crafted?.GetValueOrDefault(arrival.Index);
            outcome = crafted is null ? ReplyOutcome.AttackFailed : Check(update);
        }
        else
        {
            outcome = Check(update);
        }

        double weight = _settings.Mixing * _settings.Staleness.Weight(arrival.Staleness);
        var next = new float[Dimension];
        var current = Optimizer.Parameters.Span;
        if (outcome is ReplyOutcome.Accepted or ReplyOutcome.AcceptedNonFinite)
        {
            var based = _versions[arrival.BaseVersion].Span;
            var u = update!.Span;
            float decay = (float)_setup.Training.WeightDecay, rate = (float)-_setup.Training.LearningRate.At(arrival.Step), a = (float)weight, keep = 1 - a;
            for (int k = 0; k < next.Length; k++)
            {
                float local = (((based[k] * decay) + u[k]) * rate) + based[k];
                next[k] = (keep * current[k]) + (a * local);
            }
        }
        else
        {
            current.CopyTo(next);
        }

        Step(VectorPayload.TakeOwnership(next), null);
        _records.Add(ArrivalRecord.Of(arrival, weight, outcome, VersionsHeld));
        bool accepted = outcome is ReplyOutcome.Accepted or ReplyOutcome.AcceptedNonFinite;
        return (Record(arrival.Step, arrival.Byzantine ? double.NaN : entry.Loss, accepted ? 1 : 0, outcome, entry.Bits, arrival.Time, failed: false),
            new Dictionary<int, ReplyOutcome> { [arrival.Client] = outcome });
    }

    // FedBuff: the Byzantine members of the buffer craft (rushing: they see its honest updates), every
    // usable update is scaled by s(staleness), the rule aggregates them in client-id order, the optimizer steps.
    private (RoundRecord, IReadOnlyDictionary<int, ReplyOutcome>) Aggregate()
    {
        int step = Version;
        var crafted = CraftBuffer(step);
        var rows = new List<(Arrival Arrival, VectorPayload Update, double Weight)>();
        var outcomes = new Dictionary<int, ReplyOutcome>();
        var weights = new Dictionary<int, (double Weight, ReplyOutcome Outcome)>();
        foreach (var entry in _buffer)
        {
            var arrival = entry.Arrival;
            var update = entry.Update ?? crafted?.GetValueOrDefault(arrival.Index);
            var outcome = arrival.Byzantine && crafted is null ? ReplyOutcome.AttackFailed : Check(update);
            double weight = _settings.Staleness.Weight(arrival.Staleness);
            weights[arrival.Index] = (weight, outcome);
            outcomes[arrival.Client] = Worst(outcomes.GetValueOrDefault(arrival.Client, ReplyOutcome.Accepted), outcome);
            if (outcome is ReplyOutcome.Accepted or ReplyOutcome.AcceptedNonFinite)
            {
                rows.Add((arrival, update!, weight));
            }
        }

        rows.Sort((x, y) => x.Arrival.Client != y.Arrival.Client ? x.Arrival.Client.CompareTo(y.Arrival.Client) : x.Arrival.Index.CompareTo(y.Arrival.Index));
        bool failed = false;
        int d = Dimension;
        // The buffer's rows, scaled by s(staleness), go straight into a matrix rented for the step.
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, rows.Count * d));
        try
        {
            var inputs = rented.AsSpan(0, rows.Count * d);
            for (int r = 0; r < rows.Count; r++)
            {
                var row = inputs.Slice(r * d, d);
                if (_settings.Staleness.Kind != StalenessKind.Constant)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(rows[r].Update.Span, (float)rows[r].Weight, row);
                }
                else
                {
                    rows[r].Update.Span.CopyTo(row);
                }
            }

            var aggregate = new float[d];
            var context = new AggregationContext(step, Seed.Derive(_setup.Seed, "aggregation", step), _ruleState)
            {
                Clients = rows.Select(r => r.Arrival.Client).ToArray(),
            };
            _ruleState = AggregatorState.Replace(_ruleState, _pipeline.Aggregate(new RowMatrix(inputs, rows.Count, d), aggregate, context));
            var stepped = Optimizer.Step(aggregate, step, _setup.Training, _scratch, UnpooledPayloads.Instance);
            Step(stepped.Parameters, stepped.Velocity);
        }
        catch (AggregationException)
        {
            failed = true;
            Step(VectorPayload.CopyOf(Optimizer.Parameters.Span), Optimizer.Velocity);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }

        foreach (var entry in _buffer)
        {
            var (weight, outcome) = weights[entry.Arrival.Index];
            _records.Add(ArrivalRecord.Of(entry.Arrival, weight, outcome, VersionsHeld));
        }

        var honest = _buffer.Where(b => !b.Arrival.Byzantine).OrderBy(b => b.Arrival.Client).ThenBy(b => b.Arrival.Index).ToList();
        double loss = honest.Count == 0 ? double.NaN : honest.Average(b => b.Loss);
        var last = _buffer[^1].Arrival;
        int rejected = weights.Values.Count(w => w.Outcome is ReplyOutcome.WrongLength or ReplyOutcome.ExcludedNonFinite or ReplyOutcome.AttackFailed);
        int missing = weights.Values.Count(w => w.Outcome == ReplyOutcome.Missing);
        var record = new RoundRecord(step, loss, rows.Count, rejected, missing, failed, 0, 0)
        {
            Sampled = _buffer.Count,
            BitsSent = _buffer.Sum(b => b.Bits),
            SimulatedSeconds = last.Time,
        };
        return (record, outcomes);
    }

    private RoundRecord Record(int step, double loss, int aggregated, ReplyOutcome outcome, long bits, double time, bool failed) =>
        new(step, loss, aggregated,
            outcome is ReplyOutcome.WrongLength or ReplyOutcome.ExcludedNonFinite or ReplyOutcome.AttackFailed ? 1 : 0,
            outcome == ReplyOutcome.Missing ? 1 : 0, failed, 0, 0)
        {
            Sampled = 1,
            BitsSent = bits,
            SimulatedSeconds = time,
        };

    // The new version becomes the newest; the previous one stays only while an arrival still needs it.
    private void Step(VectorPayload parameters, VectorPayload? velocity)
    {
        Version++;
        _versions[Version] = parameters;
        Optimizer = new ServerOptimizer(parameters, velocity);
        MostVersionsHeld = Math.Max(MostVersionsHeld, _versions.Count);
    }

    private void Release()
    {
        foreach (int version in _versions.Keys.Where(v => v < Version && Schedule.LastUse[v] < _next).ToList())
        {
            _versions.Remove(version);
        }
    }

    private ReplyOutcome Check(VectorPayload? update)
    {
        if (update is null)
        {
            return ReplyOutcome.Missing;
        }

        if (update.Length != Dimension)
        {
            return ReplyOutcome.WrongLength;
        }

        if (update.IsFinite())
        {
            return ReplyOutcome.Accepted;
        }

        return _setup.Server.NonFinite == NonFinitePolicy.Exclude ? ReplyOutcome.ExcludedNonFinite : ReplyOutcome.AcceptedNonFinite;
    }

    private static ReplyOutcome Worst(ReplyOutcome a, ReplyOutcome b) => a == ReplyOutcome.Accepted ? b : a;

    // FedAsync: one Byzantine arrival crafts alone, from the model it was computed on, seeing each honest client's latest update.
    private Dictionary<int, VectorPayload?>? CraftAlone(Arrival arrival)
    {
        var honest = _latestHonest.ToList();
        return Craft(arrival.Step, [arrival], _versions[arrival.BaseVersion].Span, [.. honest.Select(h => h.Key)], [.. honest.Select(h => h.Value)], _setup.TotalClients);
    }

    // FedBuff: the buffer's Byzantine arrivals craft together from the newest model, seeing the buffer's honest updates.
    private Dictionary<int, VectorPayload?>? CraftBuffer(int step)
    {
        var byzantine = _buffer.Where(b => b.Arrival.Byzantine).Select(b => b.Arrival).ToList();
        if (byzantine.Count == 0)
        {
            return [];
        }

        var honest = _buffer.Where(b => !b.Arrival.Byzantine).OrderBy(b => b.Arrival.Client).ThenBy(b => b.Arrival.Index).ToList();
        return Craft(step, byzantine, Optimizer.Parameters.Span, [.. honest.Select(h => h.Arrival.Client)], [.. honest.Select(h => h.Update!)], _buffer.Count);
    }

    /// <summary>
    /// The attack's vectors for <paramref name="byzantine"/> (by arrival index; null: silent), or
    /// null when the attack threw (its arrivals count as <see cref="ReplyOutcome.AttackFailed"/>).
    /// </summary>
    private Dictionary<int, VectorPayload?>? Craft(int step, List<Arrival> byzantine, ReadOnlySpan<float> parameters, int[] honestIds, List<VectorPayload> honest, int total)
    {
        var attack = _setup.Attack;
        if (attack.Delivery == AttackDelivery.Silent)
        {
            return byzantine.ToDictionary(a => a.Index, _ => (VectorPayload?)null);
        }

        int d = Dimension;
        bool omniscient = _setup.Threat.Omniscient;
        var view = new float[honest.Count * d];
        for (int r = 0; r < honest.Count; r++)
        {
            if (honest[r].Length == d)
            {
                honest[r].Span.CopyTo(view.AsSpan(r * d, d));
            }
        }

        var output = new float[byzantine.Count * d];
        try
        {
            var context = new AttackContext
            {
                Round = step,
                Seed = Seed.Derive(_setup.Seed, "attack", step),
                TotalClients = total,
                ByzantineCount = byzantine.Count,
                Dimension = d,
                Parameters = parameters,
                HonestUpdates = omniscient ? new RowMatrix(view, honest.Count, d) : default,
                HonestIds = omniscient ? honestIds : [],
                Aggregator = _coalitionPipeline,
                State = _attackState,
            };
            _attackState = attack.Craft(context, output);
        }
#pragma warning disable CA1031 // A throwing attack is recorded as AttackFailed, as in a synchronous round.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }

        int length = attack.Delivery == AttackDelivery.WrongLength ? d - 1 : d;
        return byzantine.Select((a, k) => (a.Index, Payload: (VectorPayload?)VectorPayload.CopyOf(output.AsSpan(k * d, length))))
            .ToDictionary(p => p.Index, p => p.Payload);
    }

    private sealed record Buffered(Arrival Arrival, VectorPayload? Update, double Loss, long Bits);
}

/// <summary>A server step just completed: its record, each sender's outcome, and the model it produced (version Round + 1).</summary>
/// <param name="Round">The step's record (its Round is the step).</param>
/// <param name="Outcomes">Each client's outcome in the step.</param>
/// <param name="Model">The model after the step.</param>
public sealed record CompletedStep(RoundRecord Round, IReadOnlyDictionary<int, ReplyOutcome> Outcomes, VectorPayload Model);

/// <summary>One applied arrival, as <c>arrivals.csv</c> lists it.</summary>
/// <param name="Step">The server step that applied it.</param>
/// <param name="Client">Client id.</param>
/// <param name="Byzantine">True for a Byzantine client.</param>
/// <param name="Start">Simulated second its job started.</param>
/// <param name="Time">Simulated second it arrived.</param>
/// <param name="BaseVersion">Model version it was computed from.</param>
/// <param name="Staleness">Step - BaseVersion.</param>
/// <param name="Weight">FedAsync: a_t = alpha s(staleness); FedBuff: s(staleness).</param>
/// <param name="Outcome">What the server did with it.</param>
/// <param name="VersionsHeld">Model versions the server held once it was applied.</param>
public sealed record ArrivalRecord(int Step, int Client, bool Byzantine, double Start, double Time, int BaseVersion, int Staleness, double Weight, ReplyOutcome Outcome, int VersionsHeld)
{
    /// <summary>The record of <paramref name="arrival"/>.</summary>
    public static ArrivalRecord Of(Arrival arrival, double weight, ReplyOutcome outcome, int held)
    {
        ArgumentNullException.ThrowIfNull(arrival);
        return new(arrival.Step, arrival.Client, arrival.Byzantine, arrival.Start, arrival.Time, arrival.BaseVersion, arrival.Staleness, weight, outcome, held);
    }
}
