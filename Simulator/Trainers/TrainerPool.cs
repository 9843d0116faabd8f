using Akka.Actor;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// The trainer pool: one queue of requests, pulled by trainers as they become free. Pulling,
/// rather than assigning each request to a trainer when it arrives, keeps every trainer busy
/// until the round's last gradient whatever each one takes (with Akka's smallest-mailbox router
/// a round's ten gradients were split five and five up front, and a trainer that drew the slower
/// five left the other idle). While work is plentiful (a sweep), each trainer holds up to
/// <see cref="Credit"/> requests, so that it does not wait for this actor to be scheduled
/// between two small requests (with every core busy that wait cost the default sweep a quarter
/// of its trainer time). A result does not depend on which trainer computes it.
/// </summary>
/// <remarks>
/// Grouping a round's gradients into one stacked pass per trainer was measured too
/// (<see cref="Clients.Training.ModelRunner.ComputeGradients"/>): 15% less time per gradient on
/// one thread, but no gain with two trainers sharing the caches, so each request runs alone.
/// </remarks>
public sealed class TrainerPool : ReceiveActor
{
    /// <summary>Requests a trainer holds at most, the one it computes included.</summary>
    public const int Credit = 8;

    private readonly Queue<PendingRequest> _queue = new();
    private readonly Dictionary<IActorRef, int> _held = [];

    /// <summary>Creates a pool of <paramref name="trainers"/> trainers, its children.</summary>
    public TrainerPool(int trainers)
    {
        for (int k = 0; k < trainers; k++)
        {
            Context.ActorOf(TrainerActor.Props(), $"trainer-{k}");
        }

        Receive<ComputeGradient>(request => Enqueue(new PendingRequest(request, Sender)));
        Receive<EvaluateModel>(request => Enqueue(new PendingRequest(request, Sender)));
        Receive<TrainerReady>(ready =>
        {
            _held[Sender] = ready.Started ? 0 : Math.Max(0, _held.GetValueOrDefault(Sender) - 1);
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
        // First to trainers holding nothing; more to busy ones only while the queue holds more
        // than one request per trainer, so the last requests of a round still go to whichever
        // trainer frees up first.
        for (int held = 0; held < Credit && _queue.Count > 0; held++)
        {
            foreach (var trainer in _held.Where(t => t.Value == held).Select(t => t.Key).ToList())
            {
                if (_queue.Count == 0 || (held > 0 && _queue.Count <= _held.Count))
                {
                    return;
                }

                _held[trainer] = held + 1;
                trainer.Tell(_queue.Dequeue());
            }
        }
    }
}

/// <summary>Pool to trainer: a request to compute, and who gets the reply.</summary>
/// <param name="Request">A <see cref="ComputeGradient"/> or an <see cref="EvaluateModel"/>.</param>
/// <param name="ReplyTo">The requester.</param>
public sealed record PendingRequest(object Request, IActorRef ReplyTo);

/// <summary>Trainer to pool: done with a request (or, <paramref name="Started"/>, ready for the first).</summary>
/// <param name="Started">True when the trainer has just started and holds nothing.</param>
public sealed record TrainerReady(bool Started)
{
    /// <summary>Sent after each request.</summary>
    public static TrainerReady Done { get; } = new(false);

    /// <summary>Sent once the trainer has started.</summary>
    public static TrainerReady Start { get; } = new(true);
}
