using Akka.Actor;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Participants;

/// <summary>
/// The server's own "client" on its root data (the run's <c>server_data</c>): each round it
/// computes an update at theta_t exactly as an honest client does (same model, batch size,
/// local steps, clipping and worker momentum, through the same <see cref="ClientActorBase"/>),
/// without privacy noise or compression, which belong to the uplink it does not use, and
/// reports it to the server as <see cref="ServerUpdateComputed"/>.
/// </summary>
public sealed class ServerDataClient : ClientActorBase
{
    /// <summary>The id its state carries: no client has it.</summary>
    public const int Id = -1;

    /// <summary>Creates the server's client over <paramref name="context"/>'s training data (the root set).</summary>
    public ServerDataClient(ClientContext context, ulong seed)
        : base(context, new ClientState(Id, [.. Enumerable.Range(0, context.TrainingData.Count)], seed, null))
    {
        Receive<RoundStarted>(started => ComputeUpdate(started.Round, started.Parameters, null, started.Buffers));
    }

    /// <inheritdoc />
    protected override void OnUpdateReady(int round, VectorPayload update, double loss, long bits, double computeSeconds) =>
        Wiring.Server.Tell(new ServerUpdateComputed(round, update));

    /// <inheritdoc />
    protected override void OnComputationFailed(int round, ComputationFailed failure) =>
        Wiring.Server.Tell(new ServerUpdateComputed(round, VectorPayload.Empty) { Failure = failure.Reason });

    /// <inheritdoc />
    protected override void OnSuperseded(int round) =>
        Wiring.Server.Tell(new ServerUpdateComputed(round, VectorPayload.Empty) { Failure = "overtaken by a later round" });
}

/// <summary>The server's own update of round <paramref name="Round"/> (empty when its computation failed).</summary>
/// <param name="Round">The round.</param>
/// <param name="Update">The update.</param>
public sealed record ServerUpdateComputed(int Round, VectorPayload Update)
{
    /// <summary>Why the computation failed, or null.</summary>
    public string? Failure { get; init; }
}
