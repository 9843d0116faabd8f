namespace ByzantineSim.Simulator.Protocol;

/// <summary>Server to sampled clients and to the coalition: round t starts at theta_t.</summary>
/// <param name="Round">Zero-based round number.</param>
/// <param name="Parameters">theta_t.</param>
/// <param name="Participants">Clients sampled this round, in id order (default: every client).</param>
/// <param name="Rows">Where honest clients may have their gradients written, or null.</param>
public sealed record RoundStarted(int Round, VectorPayload Parameters, ImmutableArray<int> Participants = default, RoundRows? Rows = null)
{
    /// <summary>
    /// Where the round's model-sized results are rented (its <see cref="RoundLease"/> in a run):
    /// the trainers' gradients and the coalition's vectors live as long as the round's memory, and
    /// every client asked holds it until its reply (or <see cref="UpdateFailed"/>) for the round
    /// reaches the server. Null: fresh arrays.
    /// </summary>
    public IPayloadSource? Buffers { get; init; }

    /// <summary>The server's batch-norm running statistics (aggregated batch norm), which each honest client starts from; default otherwise.</summary>
    public ImmutableArray<float> Statistics { get; init; }

    /// <summary>
    /// The round's Byzantine clients, in id order, when identities change from round to round;
    /// default: the coalition's fixed identities.
    /// </summary>
    public ImmutableArray<int> Byzantine { get; init; }
}

/// <summary>
/// The honest clients' rows of the server's round matrix. A client whose update is its gradient
/// as computed (no privacy noise, momentum, compression or model in its place) has the trainer
/// write it there, so the server finds it in place instead of copying d values per update.
/// </summary>
public sealed record RoundRows
{
    private readonly Memory<float> _matrix;
    private readonly int _dimension;
    private readonly IReadOnlyDictionary<int, int> _slots;

    /// <summary>The rows <paramref name="slots"/> (by client id) of <paramref name="matrix"/>, d = <paramref name="dimension"/> values each.</summary>
    public RoundRows(Memory<float> matrix, int dimension, IReadOnlyDictionary<int, int> slots)
    {
        _matrix = matrix;
        _dimension = dimension;
        _slots = slots;
    }

    /// <summary>Client <paramref name="clientId"/>'s row, or empty when it has none.</summary>
    public Memory<float> For(int clientId) =>
        _slots.TryGetValue(clientId, out int slot) ? _matrix.Slice(slot * _dimension, _dimension) : Memory<float>.Empty;
}

/// <summary>A client's reply to <see cref="RoundStarted"/>.</summary>
/// <param name="Round">The round it answers; a stale number marks a late reply.</param>
/// <param name="ClientId">Who sends it.</param>
/// <param name="Update">The update (any length, any values: the server checks).</param>
/// <param name="Loss">Training loss of the minibatch behind it (NaN when not applicable).</param>
/// <param name="Bits">Size of the message on the wire (32 per coordinate without compression).</param>
/// <param name="ComputeSeconds">Trainer time spent on this update (for the run's time split; not part of any result).</param>
public sealed record UpdateSubmitted(int Round, int ClientId, VectorPayload Update, double Loss, long Bits = 0, double ComputeSeconds = 0)
{
    /// <summary>The client's batch-norm running statistics after its work (aggregated batch norm), or default.</summary>
    public ImmutableArray<float> Statistics { get; init; }
}

/// <summary>A client could not compute its update (e.g. its trainer failed).</summary>
/// <param name="Round">The round.</param>
/// <param name="ClientId">Who failed.</param>
/// <param name="Reason">Why.</param>
public sealed record UpdateFailed(int Round, int ClientId, string Reason)
{
    /// <summary>The exception in full (type, message and stack) when a computation threw, or null.</summary>
    public string? Trace { get; init; }
}

/// <summary>
/// Server to an omniscient coalition: the honest updates of round t, ordered by client id
/// (the rushing adversary sees them before answering).
/// </summary>
/// <param name="Round">The round.</param>
/// <param name="Parameters">theta_t.</param>
/// <param name="Updates">Honest updates that arrived, by client id.</param>
/// <param name="Rows">
/// The same updates as the rows of the server's round matrix (read-only; empty when they are
/// not contiguous there), so the coalition does not stack them again. Valid while the coalition
/// holds the round's lease (until its <see cref="CoalitionFinished"/> or <see cref="CoalitionLeftRound"/>).
/// </param>
public sealed record HonestUpdatesRevealed(int Round, VectorPayload Parameters, ImmutableArray<ClientUpdate> Updates, ReadOnlyMemory<float> Rows = default);

/// <summary>One client's update.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Update">Its vector.</param>
public sealed record ClientUpdate(int ClientId, VectorPayload Update);

/// <summary>
/// Coalition to server: every Byzantine identity has sent what it will send in round t. The
/// ones listed in <paramref name="Silent"/> send nothing: this is the simulator's bookkeeping
/// (a simulated timeout), so the round can close without waiting for the wall-clock deadline.
/// </summary>
/// <param name="Round">The round.</param>
/// <param name="Silent">Byzantine identities that will not reply.</param>
/// <param name="AttackSeconds">Time the attack took: the identities' own training plus crafting.</param>
/// <param name="CraftingSeconds">The crafting part of <paramref name="AttackSeconds"/>: serial, after the honest updates.</param>
public sealed record CoalitionFinished(int Round, ImmutableArray<int> Silent, double AttackSeconds = 0, double CraftingSeconds = 0)
{
    /// <summary>
    /// Identities that send nothing because the attack threw this round: recorded as a failure of
    /// the attack, not as the silence an attack may choose.
    /// </summary>
    public ImmutableArray<int> Failed { get; init; } = [];

    /// <summary>What the attack threw (type and message), when <see cref="Failed"/> is not empty.</summary>
    public string? Failure { get; init; }
}

/// <summary>
/// Coalition to server: it will read and write nothing more of round t's memory, for a round it
/// gave up without crafting (the next round started before everything it needed arrived). A
/// <see cref="CoalitionFinished"/> says the same for a round it crafted.
/// </summary>
/// <param name="Round">The round.</param>
public sealed record CoalitionLeftRound(int Round);

/// <summary>Coalition to one Byzantine identity: compute your own (possibly poisoned) update at theta_t.</summary>
/// <param name="Round">The round.</param>
/// <param name="Parameters">theta_t.</param>
/// <param name="Poisoning">What to do to the training batches (data poisoning), or null for honest training.</param>
/// <param name="Buffers">Where the result is rented (the round's lease), or null.</param>
public sealed record ComputeOwnUpdate(int Round, VectorPayload Parameters, Attacks.Poisoning.DataPoisoning? Poisoning, IPayloadSource? Buffers = null);

/// <summary>Byzantine identity to coalition: its own update for the round.</summary>
/// <param name="Round">The round.</param>
/// <param name="ClientId">The identity.</param>
/// <param name="Update">Its update (after worker momentum, like an honest client's).</param>
/// <param name="ComputeSeconds">Trainer time spent on it.</param>
public sealed record OwnUpdateComputed(int Round, int ClientId, VectorPayload Update, double ComputeSeconds = 0);

/// <summary>Server to itself: the safety deadline of a round has passed.</summary>
/// <param name="Round">The round.</param>
public sealed record RoundDeadlinePassed(int Round);
