using System.Collections.Immutable;
using Akka.Actor;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// The trainer pool: one queue of requests, pulled by trainers as they become free. Pulling,
/// rather than assigning each request to a trainer when it arrives, keeps every trainer busy
/// until the round's last gradient whatever each one takes (with Akka's smallest-mailbox router
/// a round's ten gradients were split five and five up front, and a trainer that drew the slower
/// five left the other idle). Under a backlog (a sweep), each trainer holds up to
/// <see cref="Credit"/> jobs, so that it does not wait for this actor to be scheduled between
/// two small ones (with every core busy, that wait cost the default sweep a quarter of its
/// trainer time). A result does not depend on which trainer computes it.
/// </summary>
/// <remarks>
/// A free trainer takes the oldest request and, with a D-SGD gradient, its share of the queued
/// gradients at the same parameters, which it computes in one stacked pass
/// (<c>ModelRunner.ComputeGradients</c>; measured on one thread: an MLP[128] gradient
/// 0.49 ms alone, 0.26 ms ten at a time; cnn_mnist 7.0 and 6.8 ms). A client's bits do not
/// depend on who shares its pass (tested), so grouping, which follows timing, changes no result.
/// </remarks>
public sealed class TrainerPool : ReceiveActor
{
    /// <summary>Jobs a trainer holds at most, the one it computes included.</summary>
    public const int Credit = 8;

    /// <summary>Most gradients in one stacked pass (bounds a trainer's working memory).</summary>
    public const int MaxGroup = 16;

    private readonly LinkedList<PendingRequest> _queue = new();
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
        _queue.AddLast(request);
        Dispatch();
    }

    /// <summary>
    /// The oldest request, and with a D-SGD gradient its share of the queued gradients that can
    /// share its pass (same model, parameters, data and batch size): an even share per trainer,
    /// so that all of them finish together, and no more than the model computes in one pass
    /// (one for a convolutional network: handed out one at a time, the gradients of a round
    /// balance over the trainers within a fraction of one).
    /// </summary>
    private TrainerJob NextJob()
    {
        var head = _queue.First!.Value;
        _queue.RemoveFirst();
        if (head.Request is not ComputeGradient first || first.Work.Mode != LocalMode.Gradient)
        {
            return new TrainerJob([head]);
        }

        var compatible = new List<LinkedListNode<PendingRequest>>();
        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (node.Value.Request is ComputeGradient other && first.CanShareWith(other))
            {
                compatible.Add(node);
            }
        }

        int share = Math.Min(Math.Min(MaxGroup, first.Model.ClientsPerPass), (compatible.Count + 1 + _held.Count - 1) / _held.Count);
        var job = ImmutableArray.CreateBuilder<PendingRequest>(share);
        job.Add(head);
        foreach (var node in compatible.Take(share - 1))
        {
            _queue.Remove(node);
            job.Add(node.Value);
        }

        return new TrainerJob(job.MoveToImmutable());
    }

    private void Dispatch()
    {
        // First to trainers holding nothing; more to busy ones only under a backlog (a sweep):
        // otherwise the queue grows while they compute, and the trainer that frees up first
        // takes a full share in one stacked pass.
        for (int held = 0; held < Credit && _queue.Count > 0; held++)
        {
            foreach (var trainer in _held.Where(t => t.Value == held).Select(t => t.Key).ToList())
            {
                if (_queue.Count == 0 || (held > 0 && _queue.Count <= MaxGroup * _held.Count))
                {
                    return;
                }

                _held[trainer] = held + 1;
                trainer.Tell(NextJob());
            }
        }
    }
}

/// <summary>A request waiting in the pool, and who gets the reply.</summary>
/// <param name="Request">A <see cref="ComputeGradient"/> or an <see cref="EvaluateModel"/>.</param>
/// <param name="ReplyTo">The requester.</param>
public sealed record PendingRequest(object Request, IActorRef ReplyTo);

/// <summary>Pool to trainer: one request, or D-SGD gradients at the same parameters to compute in one pass.</summary>
/// <param name="Requests">The requests.</param>
public sealed record TrainerJob(ImmutableArray<PendingRequest> Requests);

/// <summary>Trainer to pool: done with a request (or, <paramref name="Started"/>, ready for the first).</summary>
/// <param name="Started">True when the trainer has just started and holds nothing.</param>
public sealed record TrainerReady(bool Started)
{
    /// <summary>Sent after each request.</summary>
    public static TrainerReady Done { get; } = new(false);

    /// <summary>Sent once the trainer has started.</summary>
    public static TrainerReady Start { get; } = new(true);
}
