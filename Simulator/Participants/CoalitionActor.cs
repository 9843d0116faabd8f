using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Participants;

/// <summary>
/// Coordinates the f Byzantine identities so they can collude. Each round it gathers what the
/// attack needs and the threat model allows (theta_t, the honest updates revealed to an
/// omniscient coalition, each identity's own update), crafts one vector per identity with the
/// attack kernel, and sends each identity's vector to the server under that identity (the
/// adversary controls its identities' connections: one hop, rather than a message to each
/// identity and one back from it per round). It then tells the
/// server which identities stay silent, so the round can close without a wall-clock wait. It
/// owns the attack's state (e.g. mimic's direction estimate): passed to the kernel each round,
/// replaced by what the kernel returns, so the attack itself holds nothing between rounds.
/// </summary>
public sealed class CoalitionActor : ReceiveActor
{
    private readonly CoalitionSettings _settings;
    private readonly IActorRef _server;
    private readonly Func<int, IActorRef, Props> _identityProps;
    private readonly SortedDictionary<int, IActorRef> _identities = [];
    private readonly CraftingBuffers _buffers = new();
    private readonly Dictionary<int, CoalitionRound> _abandoned = [];
    private CoalitionRound? _round;
    private AttackState? _attackState;

    /// <summary>Creates the coalition; each identity becomes a child the first time the adversary speaks for it.</summary>
    public CoalitionActor(CoalitionSettings settings, IActorRef server, Func<int, IActorRef, Props> identityProps)
    {
        _settings = settings;
        _server = server;
        _identityProps = identityProps;

        Receive<RoundStarted>(started =>
        {
            // The round's Byzantine clients (the fixed ones unless identities change); under
            // partial participation only the sampled ones act this round.
            var roster = started.Byzantine.IsDefault ? _settings.ByzantineIds : started.Byzantine;
            var active = started.Participants.IsDefault
                ? roster
                : [.. roster.Where(id => started.Participants.BinarySearch(id) >= 0)];
            if (_round is { Delivered: false } unfinished)
            {
                // The server closed that round without us: leave it once no identity's trainer writes into its memory.
                _abandoned[unfinished.Round] = unfinished;
                TryLeave(unfinished);
            }

            _round = new CoalitionRound(started.Round, started.Parameters, _settings with { ByzantineIds = active }, _buffers)
            {
                Payloads = started.Buffers ?? UnpooledPayloads.Instance,
            };
            if (_round.NeedsOwnUpdates)
            {
                foreach (int id in active)
                {
                    // Identities may poison differently (DBA's local triggers, a mixture's groups): by rank among the round's.
                    var poisoning = _settings.Attack.PoisoningOf(roster.IndexOf(id));
                    Identity(id).Tell(new ComputeOwnUpdate(started.Round, started.Parameters, poisoning, started.Buffers));
                }
            }

            TryDeliver();
        });
        Receive<HonestUpdatesRevealed>(revealed =>
        {
            if (_round?.Round == revealed.Round)
            {
                _round.HonestUpdates = revealed.Updates;
                _round.HonestRows = revealed.Rows;
                TryDeliver();
            }
        });
        Receive<OwnUpdateComputed>(own =>
        {
            if (_round?.Round == own.Round)
            {
                _round.OwnUpdates[own.ClientId] = own.Update;
                _round.Seconds += own.ComputeSeconds;
                TryDeliver();
            }
            else if (_abandoned.TryGetValue(own.Round, out var abandoned))
            {
                abandoned.OwnUpdates[own.ClientId] = own.Update;
                TryLeave(abandoned);
            }
        });
    }

    /// <summary>
    /// The identity actor of client <paramref name="id"/>, created the first time the adversary
    /// speaks for it. When identities change it keeps its own state (momentum) apart from the
    /// client's honest actor, whose state waits for the rounds the client is honest again.
    /// </summary>
    private IActorRef Identity(int id)
    {
        if (!_identities.TryGetValue(id, out var identity))
        {
            _identities[id] = identity = Context.ActorOf(_identityProps(id, Self), $"byzantine-{id}");
        }

        return identity;
    }

    /// <summary>Tells the server that an abandoned round's memory is no longer used once every identity asked for that round has answered.</summary>
    private void TryLeave(CoalitionRound abandoned)
    {
        if (!abandoned.NeedsOwnUpdates || abandoned.OwnUpdates.Count == abandoned.ByzantineIds.Length)
        {
            _abandoned.Remove(abandoned.Round);
            _server.Tell(new CoalitionLeftRound(abandoned.Round));
        }
    }

    private void TryDeliver()
    {
        if (_round is not { IsReady: true, Delivered: false } round)
        {
            return;
        }

        round.Delivered = true;
        IReadOnlyDictionary<int, VectorPayload?> forged;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            (forged, _attackState) = round.Craft(_attackState);
        }
#pragma warning disable CA1031 // A failing attack must not stall the round: it is recorded as failed, apart from silence.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Logging.GetLogger(Context.System, this).Error(ex, "attack {0} failed in round {1}", _settings.Attack.Name, round.Round);
            double spent = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            _server.Tell(new CoalitionFinished(round.Round, [], round.Seconds + spent, spent)
            {
                Failed = round.ByzantineIds,
                Failure = $"{ex.GetType().Name}: {ex.Message}",
            });
            return;
        }

        var silent = ImmutableArray.CreateBuilder<int>();
        foreach (int id in round.ByzantineIds)
        {
            var update = forged[id];
            if (update is null)
            {
                silent.Add(id);
            }
            else
            {
                _ = update.Norm(); // measured here, once per vector, like an honest update by its producer
                _server.Tell(new UpdateSubmitted(round.Round, id, update, double.NaN, 32L * update.Length));
            }
        }

        double crafting = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        round.Seconds += crafting;
        _server.Tell(new CoalitionFinished(round.Round, silent.ToImmutable(), round.Seconds, crafting));
    }
}

/// <summary>What the coalition knows and does.</summary>
/// <param name="Attack">The attack.</param>
/// <param name="Threat">The threat model.</param>
/// <param name="ByzantineIds">The identities, in id order.</param>
/// <param name="TotalClients">n.</param>
/// <param name="Dimension">d.</param>
/// <param name="RunSeed">The run's root seed (the attack stream derives from it).</param>
/// <param name="Pipeline">The coalition's own copy of the server's pipeline, when it knows the aggregator.</param>
public sealed record CoalitionSettings(
    IAttack Attack,
    ThreatModel Threat,
    ImmutableArray<int> ByzantineIds,
    int TotalClients,
    int Dimension,
    ulong RunSeed,
    AggregationPipeline? Pipeline);

/// <summary>
/// One round of the coalition as a plain state machine: which inputs are still awaited, and the
/// crafting once they are all there. Testable without actors.
/// </summary>
/// <param name="round">The round.</param>
/// <param name="parameters">theta_t.</param>
/// <param name="settings">The coalition.</param>
/// <param name="buffers">Matrices reused from round to round (a fresh one per round when null).</param>
public sealed class CoalitionRound(int round, VectorPayload parameters, CoalitionSettings settings, CraftingBuffers? buffers = null)
{
    private readonly CraftingBuffers _buffers = buffers ?? new CraftingBuffers();

    /// <summary>The zero-based round the coalition crafts for.</summary>
    public int Round { get; } = round;

    /// <summary>The identities acting this round.</summary>
    public ImmutableArray<int> ByzantineIds => settings.ByzantineIds;

    /// <summary>Honest updates revealed by the server (omniscient threat model only).</summary>
    public ImmutableArray<ClientUpdate>? HonestUpdates { get; set; }

    /// <summary>The honest updates already stacked by the server, in <see cref="HonestUpdates"/>' order, or empty.</summary>
    public ReadOnlyMemory<float> HonestRows { get; set; }

    /// <summary>Own updates of the identities received so far.</summary>
    public Dictionary<int, VectorPayload> OwnUpdates { get; } = [];

    /// <summary>Time spent on the attack so far: own updates on the trainers, then crafting.</summary>
    public double Seconds { get; set; }

    /// <summary>Where the crafted vectors are rented (the round's lease in a run).</summary>
    public IPayloadSource Payloads { get; init; } = UnpooledPayloads.Instance;

    /// <summary>True once the forged updates were sent.</summary>
    public bool Delivered { get; set; }

    /// <summary>The attack needs each identity's own update.</summary>
    public bool NeedsOwnUpdates =>
        settings.Attack.Requires.HasFlag(AttackKnowledge.OwnGradients) || settings.Attack.Poisoning is not null;

    private bool NeedsHonestUpdates =>
        settings.Attack.Requires.HasFlag(AttackKnowledge.HonestUpdates) && settings.Threat.Omniscient;

    /// <summary>Everything the attack needs has arrived.</summary>
    public bool IsReady =>
        (!NeedsHonestUpdates || HonestUpdates is not null)
        && (!NeedsOwnUpdates || OwnUpdates.Count == settings.ByzantineIds.Length);

    /// <summary>
    /// Runs the attack from its previous <paramref name="state"/>; returns per identity the vector
    /// to send (null for silence) and the attack's next state.
    /// </summary>
    public (IReadOnlyDictionary<int, VectorPayload?> Forged, AttackState? State) Craft(AttackState? state)
    {
        int f = settings.ByzantineIds.Length;
        int d = settings.Dimension;
        if (f == 0)
        {
            return (new Dictionary<int, VectorPayload?>(), state);
        }

        var usable = (HonestUpdates ?? []).Where(u => u.Update.Length == d).ToList();
        var honest = HonestRows.Length == usable.Count * d && usable.Count == (HonestUpdates?.Length ?? 0)
            ? new RowMatrix(HonestRows.Span, usable.Count, d)
            : Stack(usable.Select(u => u.Update), d, ref _buffers.Honest);
        int[] honestIds = [.. usable.Select(u => u.ClientId)];
        var own = Stack(settings.ByzantineIds.Select(id => OwnUpdates.GetValueOrDefault(id) ?? VectorPayload.Empty), d, ref _buffers.Own);
        int rows = settings.Attack.SendsOneVector ? 1 : f;
        int length = settings.Attack.Delivery == AttackDelivery.WrongLength ? d - 1 : d;

        // One vector of the right length is crafted straight into a rented payload, which every
        // identity sends: no model-sized copy per round.
        var single = rows == 1 && length == d && settings.Attack.Delivery != AttackDelivery.Silent ? Payloads.Rent(d) : null;
        var output = single is not null ? MemoryMarshal.AsMemory(single.Memory).Span : ScratchBuffer.Ensure(ref _buffers.Output, rows * d).AsSpan(0, rows * d);
        var context = new AttackContext
        {
            Round = Round,
            Seed = Seed.Derive(settings.RunSeed, "attack", Round),
            TotalClients = settings.TotalClients,
            ByzantineCount = f,
            Dimension = d,
            Parameters = parameters.Span,
            HonestUpdates = honest,
            HonestIds = honestIds,
            OwnGradients = own,
            Aggregator = settings.Threat.KnowsAggregator ? settings.Pipeline : null,
            State = state,
        };
        var next = settings.Attack.Craft(context, output);

        var result = new Dictionary<int, VectorPayload?>();
        VectorPayload? previous = single;
        for (int k = 0; k < f; k++)
        {
            if (settings.Attack.Delivery == AttackDelivery.Silent)
            {
                result[settings.ByzantineIds[k]] = null;
                continue;
            }

            // Most attacks send one vector from every identity: share the payload (it is
            // immutable) instead of copying it f times.
            var row = output.Slice(rows == 1 ? 0 : k * d, length);
            previous = previous is not null && (rows == 1 || MemoryMarshal.AsBytes(row).SequenceEqual(MemoryMarshal.AsBytes(previous.Span)))
                ? previous
                : CopyOf(row);
            result[settings.ByzantineIds[k]] = previous;
        }

        return (result, next);
    }

    private VectorPayload CopyOf(ReadOnlySpan<float> row)
    {
        var payload = Payloads.Rent(row.Length);
        row.CopyTo(MemoryMarshal.AsMemory(payload.Memory).Span);
        return payload;
    }

    /// <summary>Stacks well-formed vectors into a matrix in <paramref name="buffer"/>; malformed ones (wrong length) are left out.</summary>
    private static RowMatrix Stack(IEnumerable<VectorPayload> vectors, int d, ref float[] buffer)
    {
        var rows = vectors.Where(v => v.Length == d).ToList();
        var data = ScratchBuffer.Ensure(ref buffer, rows.Count * d);
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].Span.CopyTo(data.AsSpan(i * d, d));
        }

        return new RowMatrix(data.AsSpan(0, rows.Count * d), rows.Count, d);
    }
}

/// <summary>
/// The coalition's working matrices, kept from round to round: allocating them fresh every round
/// would cost page faults and garbage collections.
/// Every element a round reads is written first in that round.
/// </summary>
public sealed class CraftingBuffers
{
    /// <summary>The honest updates, one row each.</summary>
    public float[] Honest = [];

    /// <summary>The identities' own updates.</summary>
    public float[] Own = [];

    /// <summary>The attack's output, one row per identity.</summary>
    public float[] Output = [];
}
