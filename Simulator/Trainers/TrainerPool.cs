using Akka.Actor;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// The trainer pool: one queue of requests, pulled by trainers as they become free. Pulling,
/// rather than assigning each request to a trainer when it arrives, keeps every trainer busy
/// until the round's last gradient whatever each one takes (with Akka's smallest-mailbox router
/// a round's ten gradients were split five and five up front, and a trainer that drew the slower
/// five left the other idle). A result does not depend on which trainer computes it.
/// </summary>
/// <remarks>
/// Grouping a round's gradients into one stacked pass per trainer was measured too
/// (<see cref="Clients.Training.ModelRunner.ComputeGradients"/>): 15% less time per gradient on
/// one thread, but no gain with two trainers sharing the caches, so each request runs alone.
/// </remarks>
public sealed class TrainerPool : ReceiveActor
{
    private readonly Queue<PendingRequest> _queue = new();
    private readonly Queue<IActorRef> _idle = new();

    /// <summary>Creates a pool of <paramref name="trainers"/> trainers, its children.</summary>
    public TrainerPool(int trainers)
    {
        for (int k = 0; k < trainers; k++)
        {
            Context.ActorOf(TrainerActor.Props(), $"trainer-{k}");
        }

        Receive<ComputeGradient>(request => Enqueue(new PendingRequest(request, Sender)));
        Receive<EvaluateModel>(request => Enqueue(new PendingRequest(request, Sender)));
        Receive<TrainerReady>(_ =>
        {
            _idle.Enqueue(Sender);
            Dispatch();
        });
    }

    /// <summary>Props of a pool of <paramref name="trainers"/> trainers.</summary>
    public static Props Props(int trainers) => Akka.Actor.Props.Create(() => new TrainerPool(trainers));

    private void Enqueue(PendingRequest request)
    {
        _queue.Enqueue(request);
        Dispatch();
    }

    private void Dispatch()
    {
        while (_idle.Count > 0 && _queue.Count > 0)
        {
            _idle.Dequeue().Tell(_queue.Dequeue());
        }
    }
}

/// <summary>Pool to trainer: a request to compute, and who gets the reply.</summary>
/// <param name="Request">A <see cref="ComputeGradient"/> or an <see cref="EvaluateModel"/>.</param>
/// <param name="ReplyTo">The requester.</param>
public sealed record PendingRequest(object Request, IActorRef ReplyTo);

/// <summary>Trainer to pool: free for the next request.</summary>
public sealed record TrainerReady
{
    /// <summary>The one instance.</summary>
    public static TrainerReady Instance { get; } = new();
}
