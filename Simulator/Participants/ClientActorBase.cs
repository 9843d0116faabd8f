using Akka.Actor;
using ByzantineSim.Attacks;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Participants;

/// <summary>
/// Shared machinery of honest and Byzantine clients: borrow a trainer for the round's minibatch
/// gradient, apply worker momentum, and hand the update to <see cref="OnUpdateReady"/>.
/// </summary>
public abstract class ClientActorBase : ReceiveActor
{
    private readonly ClientContext _context;
    private readonly EpochOrders _epochs = new();
    private readonly MomentumBuffers _momentum = new();
    private ClientState _state;
    private int _pendingRound = -1;
    private VectorPayload _pendingParameters = VectorPayload.Empty;
    private IPayloadSource? _pendingBuffers;
    private System.Collections.Immutable.ImmutableArray<float> _pendingStatistics;

    /// <summary>Creates the client.</summary>
    protected ClientActorBase(ClientContext context, ClientState state)
    {
        _context = context;
        _state = state;
        Receive<GradientComputed>(reply =>
        {
            if (reply.Tag != _pendingRound)
            {
                OnSuperseded((int)reply.Tag); // a stale computation: a later round started before it came back
                return;
            }

            int round = _pendingRound;
            _pendingRound = -1;
            if (_context.BatchNorm == Clients.Models.BatchNormMode.Local && !reply.Statistics.IsDefault)
            {
                _state = _state with { Statistics = reply.Statistics }; // kept for the next round, not sent
            }

            _pendingStatistics = _context.BatchNorm == Clients.Models.BatchNormMode.Aggregated ? reply.Statistics : default;
            _momentum.LendTo(_pendingBuffers);
            (_state, var update, long bits) = _state.Prepare(
                round, reply.Gradient, _pendingParameters, _context.Training, _context.Compressor, _context.Privacy, _momentum);
            _pendingParameters = VectorPayload.Empty;
            OnUpdateReady(round, update, reply.Loss, bits, reply.Seconds);
        });
        Receive<ComputationFailed>(failure =>
        {
            if (failure.Tag == _pendingRound)
            {
                _pendingRound = -1;
                OnComputationFailed((int)failure.Tag, failure);
            }
            else
            {
                OnSuperseded((int)failure.Tag);
            }
        });
    }

    /// <summary>This client's id.</summary>
    protected int ClientId => _state.ClientId;

    /// <summary>
    /// The running statistics of the update <see cref="OnUpdateReady"/> is handing on (aggregated
    /// batch norm: the client's, after its work, for the server to average), or default.
    /// </summary>
    protected System.Collections.Immutable.ImmutableArray<float> UpdateStatistics => _pendingStatistics;

    /// <summary>The running statistics a round's work starts from: the client's own (local), the server's (aggregated), or none.</summary>
    private System.Collections.Immutable.ImmutableArray<float> StatisticsFor(System.Collections.Immutable.ImmutableArray<float> server) => _context.BatchNorm switch
    {
        Clients.Models.BatchNormMode.Local => _state.Statistics,
        Clients.Models.BatchNormMode.Aggregated => server,
        _ => default,
    };

    /// <summary>The run's wiring.</summary>
    protected ClientContext Wiring => _context;

    /// <summary>
    /// Asks a trainer for the local work of round <paramref name="round"/> at <paramref name="parameters"/>,
    /// its result rented from <paramref name="buffers"/> (the round's lease).
    /// </summary>
    /// <param name="round">The round.</param>
    /// <param name="parameters">theta_t.</param>
    /// <param name="poisoning">What a data-poisoning attack does to the batches, or null.</param>
    /// <param name="buffers">The round's lease, or null.</param>
    /// <param name="serverStatistics">The server's running statistics (aggregated batch norm), or default.</param>
    protected void ComputeUpdate(
        int round, VectorPayload parameters, Attacks.Poisoning.DataPoisoning? poisoning, IPayloadSource? buffers,
        System.Collections.Immutable.ImmutableArray<float> serverStatistics = default)
    {
        _pendingRound = round;
        _pendingParameters = parameters;
        _pendingBuffers = buffers;
        _context.Trainers.Tell(
            new ComputeGradient(_context.Model, parameters, _context.TrainingData, _state.Work(round, _context.Training, poisoning, _epochs), round)
            {
                Buffers = buffers,
                Statistics = StatisticsFor(serverStatistics),
            },
            Self);
    }

    /// <summary>
    /// For a client whose update is its gradient as computed (<see cref="ClientContext.SendsComputedGradient"/>):
    /// asks a trainer for it and has the trainer submit it to the server directly, written into
    /// <paramref name="destination"/> (the client's row of the server's round matrix) when given.
    /// The client's state does not change.
    /// </summary>
    /// <param name="round">The round.</param>
    /// <param name="parameters">theta_t.</param>
    /// <param name="destination">The client's row of the round matrix, or empty.</param>
    /// <param name="buffers">The round's lease, or null.</param>
    /// <param name="serverStatistics">The server's running statistics (aggregated batch norm: the trainer submits the client's with the update), or default.</param>
    protected void ComputeAndSubmit(
        int round, VectorPayload parameters, Memory<float> destination, IPayloadSource? buffers,
        System.Collections.Immutable.ImmutableArray<float> serverStatistics = default)
    {
        _context.Trainers.Tell(
            new ComputeGradient(_context.Model, parameters, _context.TrainingData, _state.Work(round, _context.Training, null, _epochs), round)
            {
                Destination = destination,
                Buffers = buffers,
                SubmitFor = ClientId,
                Statistics = StatisticsFor(serverStatistics),
            },
            _context.Server);
    }

    /// <summary>Called when the round's update (after privacy, momentum and compression) is ready.</summary>
    protected abstract void OnUpdateReady(int round, VectorPayload update, double loss, long bits, double computeSeconds);

    /// <summary>Called when the trainer could not compute the round's gradient.</summary>
    protected abstract void OnComputationFailed(int round, ComputationFailed failure);

    /// <summary>
    /// Called when round <paramref name="round"/>'s result came back after a later round had started:
    /// it is dropped, and whoever holds the round's memory on this client's behalf (the server, the
    /// coalition) must hear that its trainer no longer writes there. Not before it comes back: the
    /// trainer may still be writing.
    /// </summary>
    protected abstract void OnSuperseded(int round);
}

/// <summary>The run-wide references every client needs.</summary>
/// <param name="Server">Where updates go.</param>
/// <param name="Trainers">The trainer pool.</param>
/// <param name="Model">The model to train.</param>
/// <param name="TrainingData">The training set.</param>
/// <param name="Training">Batch size, local steps and momentum settings.</param>
/// <param name="Compressor">How updates are compressed.</param>
/// <param name="Privacy">Client-side differential privacy, or null.</param>
public sealed record ClientContext(
    IActorRef Server,
    IActorRef Trainers,
    Trainers.ModelKey Model,
    Clients.Data.Dataset TrainingData,
    Setup.TrainingSettings Training,
    Clients.Compression.ICompressor Compressor,
    Clients.Training.ClientPrivacy? Privacy)
{
    /// <summary>Where the model's batch-norm statistics come from, or null without batch norm.</summary>
    public Clients.Models.BatchNormMode? BatchNorm => Model.Definition.BatchNorm;

    /// <summary>
    /// See <see cref="ClientState.SendsComputedGradient"/>; never with local batch norm, whose
    /// client keeps the statistics its trainer gives back.
    /// </summary>
    public bool SendsComputedGradient { get; } = SendsComputedGradientFor(Training, Compressor, Privacy, Model.Definition.BatchNorm);

    /// <summary>
    /// Whether a client of these settings sends its gradient as computed and so keeps no state
    /// between rounds (<see cref="SendsComputedGradient"/>), known before a run starts.
    /// </summary>
    public static bool SendsComputedGradientFor(
        Setup.TrainingSettings training, Clients.Compression.ICompressor compressor, Clients.Training.ClientPrivacy? privacy, Clients.Models.BatchNormMode? batchNorm) =>
        ClientState.SendsComputedGradient(training, compressor, privacy) && batchNorm != Clients.Models.BatchNormMode.Local;
}

/// <summary>An honest client: computes its minibatch gradient at theta_t, applies momentum, replies.</summary>
public sealed class HonestClientActor : ClientActorBase
{
    /// <summary>Creates the client; with <paramref name="oneRound"/> it stops once it has handed its round's work on (a client without state, see <c>HonestClients</c>).</summary>
    public HonestClientActor(ClientContext context, ClientState state, bool oneRound = false)
        : base(context, state)
    {
        Receive<RoundStarted>(started =>
        {
            if (context.SendsComputedGradient)
            {
                ComputeAndSubmit(started.Round, started.Parameters, started.Rows?.For(ClientId) ?? default, started.Buffers, started.Statistics);
                if (oneRound)
                {
                    Context.Stop(Self);
                }
            }
            else
            {
                ComputeUpdate(started.Round, started.Parameters, null, started.Buffers, started.Statistics);
            }
        });
    }

    /// <inheritdoc />
    protected override void OnUpdateReady(int round, VectorPayload update, double loss, long bits, double computeSeconds) =>
        Wiring.Server.Tell(new UpdateSubmitted(round, ClientId, update, loss, bits, computeSeconds) { Statistics = UpdateStatistics });

    /// <inheritdoc />
    protected override void OnComputationFailed(int round, ComputationFailed failure) =>
        Wiring.Server.Tell(new UpdateFailed(round, ClientId, failure.Reason) { Trace = failure.Trace });

    /// <inheritdoc />
    protected override void OnSuperseded(int round) =>
        Wiring.Server.Tell(new UpdateFailed(round, ClientId, "overtaken by a later round"));
}

/// <summary>
/// One Byzantine identity. It computes its own update when the coalition asks (for attacks
/// built on honest training, such as no attack or label flipping); the coalition sends the
/// server what the identity submits.
/// </summary>
public sealed class ByzantineClientActor : ClientActorBase
{
    private readonly IActorRef _coalition;

    /// <summary>Creates the identity.</summary>
    public ByzantineClientActor(ClientContext context, ClientState state, IActorRef coalition)
        : base(context, state)
    {
        _coalition = coalition;
        Receive<ComputeOwnUpdate>(request => ComputeUpdate(request.Round, request.Parameters, request.Poisoning, request.Buffers));
    }

    /// <inheritdoc />
    protected override void OnUpdateReady(int round, VectorPayload update, double loss, long bits, double computeSeconds) =>
        _coalition.Tell(new OwnUpdateComputed(round, ClientId, update, computeSeconds));

    /// <inheritdoc />
    protected override void OnComputationFailed(int round, ComputationFailed failure) =>
        _coalition.Tell(new OwnUpdateComputed(round, ClientId, VectorPayload.Empty));

    /// <inheritdoc />
    protected override void OnSuperseded(int round) =>
        _coalition.Tell(new OwnUpdateComputed(round, ClientId, VectorPayload.Empty));
}
