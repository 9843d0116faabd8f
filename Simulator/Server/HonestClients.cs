using Akka.Actor;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// A run's honest client actors, materialised on sampling: a client that no round has asked for
/// has no actor, mailbox or buffer, only its entry in the partition. A client whose state never
/// changes (its update is the gradient as computed: no momentum, residual or local statistics,
/// see <see cref="ClientContext.SendsComputedGradient"/>) lives for one round: it hands its work to a
/// trainer, which submits to the server, and stops; the next round that samples it starts a new
/// one from the same initial state, which is a pure function of the run's seed and its id. A
/// client with state keeps its actor from its first round to the end of the run, and so does
/// every client when all take part in every round (a new actor per round would only cost time).
/// </summary>
internal sealed class HonestClients(IUntypedActorContext context, ClientContext clients, RunContext run)
{
    private readonly Dictionary<int, IActorRef> _live = [];
    private readonly bool _oneRoundLives = clients.SendsComputedGradient
        && run.Setup.Training.ParticipantsPerRound(run.Setup.TotalClients) < run.Setup.TotalClients;

    /// <summary>Sends <paramref name="message"/> to client <paramref name="id"/>, starting its actor first if it has none.</summary>
    public void Tell(int id, object message)
    {
        if (_oneRoundLives && message is RoundStarted started)
        {
            // One round's life; the round in the name keeps it unique while an earlier one stops.
            context.ActorOf(Props(id, oneRound: true), $"client-{id}-r{started.Round}").Tell(message);
            return;
        }

        if (!_live.TryGetValue(id, out var client))
        {
            _live[id] = client = context.ActorOf(Props(id, oneRound: false), $"client-{id}");
        }

        client.Tell(message);
    }

    // Props.Create(Type, args) avoids compiling an expression tree per actor, which dominates
    // start-up with thousands of clients.
    private Props Props(int id, bool oneRound) =>
        Akka.Actor.Props.Create(typeof(HonestClientActor), clients, run.InitialClientState(id), oneRound);
}
