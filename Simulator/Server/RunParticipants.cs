using Akka.Actor;
using ByzantineSim.Simulator.Setup;
using ByzantineSim.Simulator.Participants;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The children a run's server starts: the honest clients (per client when Byzantine identities
/// change; materialised on sampling, see <see cref="HonestClients"/>), the server-data client when
/// the run has <c>server_data</c> (FLTrust's root set), and the coalition that owns the Byzantine
/// clients when there are any.
/// </summary>
internal static class RunParticipants
{
    /// <summary>Starts the participants of <paramref name="run"/> as children of the server's <paramref name="context"/>.</summary>
    public static (HonestClients Honest, IActorRef? Coalition, IActorRef? ServerData) Start(IUntypedActorContext context, RunContext run)
    {
        var setup = run.Setup;
        var clientContext = new ClientContext(context.Self, run.Trainers, run.Model, run.Data.Train, setup.Training, setup.Compressor, setup.Privacy);
        var honest = new HonestClients(context, clientContext, run);

        IActorRef? serverData = null;
        if (run.ServerData is { } root && setup.ServerData is { } rootSettings)
        {
            var rootContext = new ClientContext(context.Self, run.Trainers, run.Model, root, setup.Training, Clients.Compression.NoCompression.Instance, null);
            serverData = context.ActorOf(
                Props.Create(typeof(ServerDataClient), rootContext, Core.Numerics.Seed.Derive(rootSettings.Seed, "server-data-batches")),
                "server-data");
        }

        IActorRef? coalition = null;
        if (setup.ByzantineClients > 0 || setup.Identities.Changes)
        {
            var settings = new CoalitionSettings(
                setup.Attack, setup.Threat, [.. run.ByzantineIds], setup.TotalClients, run.Dimension, setup.Seed,
                setup.Threat.KnowsAggregator ? setup.CreatePipeline() : null);
            var server = context.Self;
            coalition = context.ActorOf(
                Props.Create(() => new CoalitionActor(
                    settings,
                    server,
                    (id, owner) => Props.Create(typeof(ByzantineClientActor), clientContext, run.InitialClientState(id), owner))),
                "coalition");
        }

        return (honest, coalition, serverData);
    }
}
