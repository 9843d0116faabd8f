namespace ByzantineSim.Core.Numerics;

/// <summary>
/// The one owner of a run's model-sized memory. Each round t gets two <see cref="RoundLease"/>s:
/// one for theta_t (<see cref="OpenParameters"/>), and one for the round's matrix, the trainers'
/// gradients and the coalition's crafted vectors (<see cref="Open(int, Holder)"/>). Whoever reads or writes
/// them holds the lease (the server, every client asked that round and the coalition hold both;
/// an evaluation part holds only theta's, so a slow evaluation keeps one vector, not a round's
/// matrix) and lets go with an explicit message; when the last holder lets go, every payload and
/// the matrix go back to the run's own <see cref="PayloadPool"/>, and reading any of them afterwards throws.
/// Holds are taken and given back on the server's thread only; renting is thread-safe.
/// </summary>
/// <param name="capacityBytes">Most bytes the run's pool keeps for reuse.</param>
public sealed class RoundArena(long capacityBytes = RoundArena.DefaultCapacityBytes)
{
    private readonly Dictionary<int, RoundLease> _open = [];
    private readonly Dictionary<int, RoundLease> _parameters = [];

    /// <summary>The pool's capacity when a run does not say: 256 MB.</summary>
    public const long DefaultCapacityBytes = 256L << 20;

    /// <summary>
    /// A capacity that keeps a whole round's memory for the next one: two matrices' worth of
    /// <paramref name="rows"/> x <paramref name="dimension"/> floats (the matrix, and the payloads
    /// of updates not written into it) and 16 vectors more, and never less than
    /// <see cref="DefaultCapacityBytes"/>. Below that, a large round (1,000 participants of a
    /// 100,000-parameter model: 407 MB) would be allocated afresh every round.
    /// </summary>
    public static long CapacityFor(int rows, int dimension) => Math.Max(DefaultCapacityBytes, ((2L * rows) + 16) * dimension * sizeof(float));

    /// <summary>The run's pool (not shared with other runs).</summary>
    public PayloadPool Pool { get; } = new(capacityBytes);

    /// <summary>Leases (of rounds and of parameters) whose holders have not all let go.</summary>
    public int OpenLeases => _open.Count + _parameters.Count;

    /// <summary>Opens round <paramref name="round"/>'s lease (its matrix and payloads), held by <paramref name="firstHolder"/>.</summary>
    /// <exception cref="InvalidOperationException">The round already has a lease.</exception>
    public RoundLease Open(int round, Holder firstHolder) => Open(_open, round, firstHolder, "round");

    /// <summary>Opens the lease of theta_<paramref name="round"/>, held by <paramref name="firstHolder"/>.</summary>
    /// <exception cref="InvalidOperationException">Those parameters already have a lease.</exception>
    public RoundLease OpenParameters(int round, Holder firstHolder) => Open(_parameters, round, firstHolder, "parameters");

    /// <summary>The open lease of <paramref name="round"/>'s matrix and payloads, or null when it was never opened or is already given back.</summary>
    public RoundLease? Find(int round) => _open.GetValueOrDefault(round);

    /// <summary>The open lease of theta_<paramref name="round"/>, or null.</summary>
    public RoundLease? FindParameters(int round) => _parameters.GetValueOrDefault(round);

    /// <summary>
    /// Lets <paramref name="holder"/> go of <paramref name="round"/>'s leases (the round's and its
    /// parameters'), where it holds them; returns true when that freed either.
    /// </summary>
    public bool Let(int round, Holder holder)
    {
        bool matrix = Find(round) is { } lease && lease.Let(holder);
        bool parameters = FindParameters(round) is { } theta && theta.Let(holder);
        return matrix || parameters;
    }

    private RoundLease Open(Dictionary<int, RoundLease> leases, int round, Holder firstHolder, string what)
    {
        var lease = new RoundLease(this, round, () => leases.Remove(round));
        if (!leases.TryAdd(round, lease))
        {
            throw new InvalidOperationException($"round {round} already has a {what} lease");
        }

        lease.Hold(firstHolder);
        return lease;
    }
}

/// <summary>Who holds a <see cref="RoundLease"/>.</summary>
/// <param name="Kind">The kind of holder.</param>
/// <param name="Id">Which one (a client id, an evaluation tag; 0 for the server and the coalition).</param>
public readonly record struct Holder(HolderKind Kind, long Id)
{
    /// <summary>The server, from opening the round until it is recorded.</summary>
    public static Holder Server => new(HolderKind.Server, 0);

    /// <summary>The coalition, from the round's start until it reports the round finished.</summary>
    public static Holder Coalition => new(HolderKind.Coalition, 0);

    /// <summary>A client asked in the round (and its trainer), until its reply or failure for the round arrives.</summary>
    public static Holder Client(int id) => new(HolderKind.Client, id);

    /// <summary>An evaluation part reading the round's parameters, until its result arrives.</summary>
    public static Holder Evaluation(long tag) => new(HolderKind.Evaluation, tag);

    /// <inheritdoc />
    public override string ToString() => Kind is HolderKind.Server or HolderKind.Coalition ? Kind.ToString() : $"{Kind} {Id}";
}

/// <summary>The kinds of <see cref="Holder"/>.</summary>
public enum HolderKind
{
    /// <summary>The server.</summary>
    Server,

    /// <summary>The Byzantine coalition.</summary>
    Coalition,

    /// <summary>A client and the trainer computing for it.</summary>
    Client,

    /// <summary>An evaluation part.</summary>
    Evaluation,
}

/// <summary>
/// One round's memory, held until every holder lets go (see <see cref="RoundArena"/>). After
/// that, the payloads rented from it and every view of its matrix throw
/// <see cref="ObjectDisposedException"/> instead of reading memory a later round reuses.
/// </summary>
public sealed class RoundLease : IPayloadSource
{
    private readonly RoundArena _arena;
    private readonly Action _closed;
    private readonly HashSet<Holder> _holders = [];
    private readonly List<VectorPayload> _rented = [];
    private readonly Lock _lock = new();
    private LeasedMemory? _matrix;
    private volatile bool _released;

    internal RoundLease(RoundArena arena, int round, Action closed)
    {
        _arena = arena;
        _closed = closed;
        Round = round;
    }

    /// <summary>The round.</summary>
    public int Round { get; }

    /// <summary>True once every holder let go: nothing of the lease may be read any more.</summary>
    public bool IsReleased => _released;

    /// <summary>Who holds the lease now.</summary>
    public IReadOnlyCollection<Holder> Holders => _holders;

    /// <summary>The round's matrix (see <see cref="AllocateMatrix"/>), as memory that throws once the lease is released.</summary>
    public Memory<float> Matrix => _matrix?.Memory ?? Memory<float>.Empty;

    /// <summary>The round's matrix array itself, for its holder's own kernels; empty before <see cref="AllocateMatrix"/>.</summary>
    /// <exception cref="ObjectDisposedException">The lease was released.</exception>
    public float[] MatrixArray
    {
        get
        {
            ThrowIfReleased();
            return _matrix?.Array ?? [];
        }
    }

    /// <summary>Rents the round's matrix, <paramref name="length"/> values with arbitrary contents, from the run's pool.</summary>
    /// <exception cref="InvalidOperationException">The lease already has a matrix.</exception>
    public Memory<float> AllocateMatrix(int length)
    {
        ThrowIfReleased();
        if (_matrix is not null)
        {
            throw new InvalidOperationException($"round {Round} already has a matrix");
        }

        _matrix = new LeasedMemory(this, _arena.Pool.Rent(length));
        return _matrix.Memory;
    }

    /// <summary>Adds <paramref name="holder"/> (once; holding twice is one hold).</summary>
    public void Hold(Holder holder)
    {
        ThrowIfReleased();
        _holders.Add(holder);
    }

    /// <summary>Lets <paramref name="holder"/> go; the last one to go releases everything. Returns true when that happened now.</summary>
    public bool Let(Holder holder)
    {
        if (_released || !_holders.Remove(holder) || _holders.Count > 0)
        {
            return false;
        }

        _released = true;
        _closed();
        lock (_lock)
        {
            foreach (var payload in _rented)
            {
                payload.Release();
            }

            _rented.Clear();
        }

        if (_matrix is { } matrix)
        {
            _arena.Pool.Return(matrix.Array);
        }

        return true;
    }

    /// <summary>A payload of <paramref name="length"/> values from the run's pool that lives as long as the lease; the renter overwrites every value.</summary>
    /// <exception cref="ObjectDisposedException">The lease was released.</exception>
    public VectorPayload Rent(int length)
    {
        var payload = VectorPayload.TakeOwnership(_arena.Pool.Rent(length), _arena.Pool);
        lock (_lock)
        {
            ThrowIfReleased();
            _rented.Add(payload);
        }

        return payload;
    }

    /// <inheritdoc />
    public override string ToString() => $"round {Round}'s lease ({(_released ? "released" : string.Join(", ", _holders))})";

    internal void ThrowIfReleased()
    {
        if (_released)
        {
            throw new ObjectDisposedException($"round {Round}'s memory", $"round {Round}'s memory was given back to the run's pool after its last holder let go; a later round may be using it");
        }
    }

    /// <summary>The matrix as <see cref="Memory{T}"/> whose every access checks the lease.</summary>
    private sealed class LeasedMemory(RoundLease lease, float[] array) : System.Buffers.MemoryManager<float>
    {
        public float[] Array { get; } = array;

        public RoundLease Lease => lease;

        public override Span<float> GetSpan()
        {
            lease.ThrowIfReleased();
            return Array;
        }

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) =>
            throw new NotSupportedException("a round's matrix is not pinned");

        public override void Unpin()
        {
        }

        protected override bool TryGetArray(out ArraySegment<float> segment)
        {
            lease.ThrowIfReleased();
            segment = new ArraySegment<float>(Array);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    /// <summary>The lease behind <paramref name="memory"/> when it is a view of a lease's matrix.</summary>
    internal static RoundLease? Of(ReadOnlyMemory<float> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<float, LeasedMemory>(memory, out var manager) ? manager.Lease : null;
}

/// <summary>Where model-sized payloads come from.</summary>
public interface IPayloadSource
{
    /// <summary>A payload of <paramref name="length"/> values with arbitrary contents, which the caller overwrites entirely.</summary>
    VectorPayload Rent(int length);
}

/// <summary>Payloads over fresh arrays that the garbage collector reclaims (tests, benchmarks, code outside a run).</summary>
public sealed class UnpooledPayloads : IPayloadSource
{
    /// <summary>The one instance.</summary>
    public static UnpooledPayloads Instance { get; } = new();

    /// <inheritdoc />
    public VectorPayload Rent(int length) => VectorPayload.TakeOwnership(GC.AllocateUninitializedArray<float>(length));
}
