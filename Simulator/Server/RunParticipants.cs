using Akka.Actor;
using ByzantineSim.Simulator.Setup;
using ByzantineSim.Simulator.Participants;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The children a run's server starts: one actor per honest client (per client when Byzantine identities change), the server-data client when
/// the run has <c>server_data</c> (FLTrust's root set), and the coalition that owns the Byzantine
/// clients when there are any.
/// </summary>
internal static class RunParticipants
{
    /// <summary>Starts the participants of <paramref name="run"/> as children of the server's <paramref name="context"/>.</summary>
    public static (IReadOnlyDictionary<int, IActorRef> Honest, IActorRef? Coalition, IActorRef? ServerData) Start(IUntypedActorContext context, RunContext run)
    {
        var setup = run.Setup;
        var clientContext = new ClientContext(context.Self, run.Trainers, run.Model, run.Data.Train, setup.Training, setup.Compressor, setup.Privacy);
        var honest = new Dictionary<int, IActorRef>();
        // When identities change, every client has an honest actor: it trains in the rounds it is honest.
        for (int id = 0; id < run.ClientsWithHonestState; id++)
        {
            // Props.Create(Type, args) avoids compiling an expression tree per actor, which
            // dominates start-up with thousands of clients.
            honest[id] = context.ActorOf(
                Props.Create(typeof(HonestClientActor), clientContext, run.InitialClientState(id)),
                $"client-{id}");
        }

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
