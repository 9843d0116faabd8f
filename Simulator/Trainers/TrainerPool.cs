using Akka.Actor;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// The trainer pool: one queue of requests (<see cref="WorkQueue"/>), pulled by trainers as they
/// become free. Pulling, rather than assigning each request to a trainer when it arrives, keeps
/// every trainer busy until the round's last gradient whatever each one takes (a router that
/// splits a round's gradients up front leaves a trainer idle once its share is done). A trainer
/// that finishes a job takes the next one from the queue itself, on its own thread, so it does not
/// wait for this actor to be scheduled between two gradients. This actor only wakes idle trainers
/// when requests arrive. A result does not depend on which trainer computes it.
/// </summary>
/// <remarks>
/// A free trainer takes the oldest request and, with a D-SGD gradient, its share of the queued
/// gradients of the same model, data and batch size, which it computes in one stacked pass
/// (<c>ModelRunner.RunTogether</c> at shared parameters, <c>RunEach</c> when each client has its
/// own, as peers do; cheaper per gradient than one pass each, figures in docs/PERFORMANCE.md). A client's bits do not depend on who shares its pass
/// (tested), so grouping, which follows timing, changes no result.
/// </remarks>
public sealed class TrainerPool : ReceiveActor
{
    /// <summary>Most gradients in one stacked pass (bounds a trainer's working memory).</summary>
    public const int MaxGroup = 16;

    private readonly WorkQueue _work;
    private readonly HashSet<IActorRef> _idle = [];
    private readonly List<IActorRef> _trainers = [];
    private readonly HashSet<IActorRef> _started = [];
    private readonly TrainerPoolStartup _startup;

    /// <summary>
    /// Creates a pool of <paramref name="trainers"/> trainers, its children, taking their jobs
    /// from <paramref name="work"/>; <paramref name="startup"/> learns when all of them are
    /// ready or why they cannot be (a thread that cannot be created under memory pressure).
    /// </summary>
    public TrainerPool(int trainers, WorkQueue work, TrainerPoolStartup startup, TrainerStarter? start = null)
    {
        _work = work;
        _startup = startup;
        int k = 0;
        try
        {
            for (; k < trainers; k++)
            {
                _trainers.Add((start ?? StartTrainer)(Context, k, _work));
            }
        }
#pragma warning disable CA1031 // Whatever stops a trainer from starting must reach the runs, not only the log.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            startup.Fail(new TrainerPoolException($"could not start trainer {k + 1} of {trainers}: {ex.Message}; use fewer trainers (--trainers)", ex));
            _trainers.ForEach(Context.Stop);
            _trainers.Clear();
        }

        Receive<ComputeGradient>(request => Enqueue(new PendingRequest(request, Sender)));
        Receive<EvaluateModel>(request => Enqueue(new PendingRequest(request, Sender)));
        Receive<TrainerReady>(_ =>
        {
            if (_started.Add(Sender) && _started.Count == _trainers.Count)
            {
                _startup.Ready();
            }

            // The trainer found the queue empty; a request may have come in since.
            _idle.Add(Sender);
            Wake();
        });
    }

    /// <summary>Starts trainer <paramref name="index"/> as a child of the pool: the seam through which tests make it fail.</summary>
    public delegate IActorRef TrainerStarter(IUntypedActorContext context, int index, WorkQueue work);

    /// <summary>Props of a pool of <paramref name="trainers"/> trainers sharing <paramref name="work"/>, whose statistics the caller reads.</summary>
    public static Props Props(int trainers, WorkQueue work, TrainerPoolStartup startup, TrainerStarter? start = null) =>
        Akka.Actor.Props.Create(() => new TrainerPool(trainers, work, startup, start));

    /// <summary>The production <see cref="TrainerStarter"/>: a <see cref="TrainerActor"/> on its own pinned thread.</summary>
    public static IActorRef StartTrainer(IUntypedActorContext context, int index, WorkQueue work) =>
        context.ActorOf(TrainerActor.Props(work), $"trainer-{index}");

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(error =>
    {
        // A trainer that fails while starting (its thread, its constructor) is one the runs would wait for in vain.
        if (error is ActorInitializationException)
        {
            _startup.Fail(new TrainerPoolException($"a trainer failed to start: {error.InnerException?.Message ?? error.Message}; use fewer trainers (--trainers)", error));
        }

        return Akka.Actor.SupervisorStrategy.DefaultDecider.Decide(error);
    });

    private void Enqueue(PendingRequest request)
    {
        _work.Add(request);
        Wake();
    }

    /// <summary>Wakes idle trainers, in creation order, as many as there are queued requests.</summary>
    private void Wake()
    {
        int queued = _work.Count;
        foreach (var trainer in _trainers)
        {
            if (queued <= 0)
            {
                return;
            }

            if (_idle.Remove(trainer))
            {
                trainer.Tell(TrainerWake.Instance);
                queued--;
            }
        }
    }
}

/// <summary>
/// The requests waiting for a trainer, shared by the pool (which adds) and its trainers (which
/// take, each on its own thread). Thread-safe. It also measures how long trainers wait at the
/// end of a batch of work (<see cref="TailIdleSeconds"/>).
/// </summary>
/// <param name="trainers">Trainers taking from the queue.</param>
/// <param name="time">The clock (a test's own; default the system's).</param>
public sealed class WorkQueue(int trainers, TimeProvider? time = null)
{
    private readonly LinkedList<PendingRequest> _queue = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _busy;
    private long _since;
    private double _tailIdle;

    /// <summary>
    /// Trainer-seconds spent idle while the queue was empty and another trainer still computed:
    /// the wait for the slowest trainer at the end of a round's gradients (load imbalance),
    /// which no faster messaging would shorten. Divided by the trainers, it is wall time.
    /// </summary>
    public double TailIdleSeconds
    {
        get
        {
            lock (_lock)
            {
                Advance();
                return _tailIdle;
            }
        }
    }

    /// <summary>Requests waiting.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues a request.</summary>
    public void Add(PendingRequest request)
    {
        lock (_lock)
        {
            Advance();
            _queue.AddLast(request);
        }
    }

    /// <summary>
    /// The oldest request, and with a D-SGD gradient its share of the queued gradients that can
    /// share its pass (same model, data and batch size): an even share per trainer,
    /// so that all of them finish together, and no more than the model computes in one pass
    /// (one for a convolutional network: taken one at a time, the gradients of a round balance
    /// over the trainers within a fraction of one). Null when nothing is queued.
    /// </summary>
    /// <param name="finishedOne">The caller has just finished the job it took last (false when it comes from idle).</param>
    public TrainerJob? TryTake(bool finishedOne = false)
    {
        lock (_lock)
        {
            Advance();
            if (finishedOne)
            {
                _busy--;
            }

            var job = Take();
            if (job is not null)
            {
                _busy++;
            }

            return job;
        }
    }

    /// <summary>Adds the last interval's idle trainers to <see cref="_tailIdle"/> if it was a tail: queue empty, someone computing. Under the lock.</summary>
    private void Advance()
    {
        long now = _time.GetTimestamp();
        if (_queue.Count == 0 && _busy > 0 && _busy < trainers)
        {
            _tailIdle += (trainers - _busy) * _time.GetElapsedTime(_since, now).TotalSeconds;
        }

        _since = now;
    }

    private TrainerJob? Take()
    {
        if (_queue.First is not { } first)
        {
            return null;
        }

        var head = first.Value;
        _queue.RemoveFirst();
        if (head.Request is not ComputeGradient gradient || gradient.Work.Mode != LocalMode.Gradient)
        {
            return new TrainerJob([head]);
        }

        var compatible = new List<LinkedListNode<PendingRequest>>();
        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (node.Value.Request is ComputeGradient other && gradient.CanShareWith(other))
            {
                compatible.Add(node);
            }
        }

        int share = Math.Min(Math.Min(TrainerPool.MaxGroup, gradient.Model.ClientsPerPass), (compatible.Count + 1 + trainers - 1) / trainers);
        var job = ImmutableArray.CreateBuilder<PendingRequest>(share);
        job.Add(head);
        foreach (var node in compatible.Take(share - 1))
        {
            _queue.Remove(node);
            job.Add(node.Value);
        }

        return new TrainerJob(job.MoveToImmutable());
    }
}

/// <summary>A request waiting in the pool, and who gets the reply.</summary>
/// <param name="Request">A <see cref="ComputeGradient"/> or an <see cref="EvaluateModel"/>.</param>
/// <param name="ReplyTo">The requester.</param>
public sealed record PendingRequest(object Request, IActorRef ReplyTo);

/// <summary>What a trainer takes from the <see cref="WorkQueue"/>: one request, or D-SGD gradients of one model, data set and batch size to compute in one pass.</summary>
/// <param name="Requests">The requests.</param>
public sealed record TrainerJob(ImmutableArray<PendingRequest> Requests);

/// <summary>Trainer to pool: the queue was empty, wake me when a request comes.</summary>
public sealed record TrainerReady
{
    /// <summary>The shared instance: the message carries no data.</summary>
    public static TrainerReady Instance { get; } = new();
}

/// <summary>Pool to an idle trainer: requests are queued.</summary>
public sealed record TrainerWake
{
    /// <summary>The shared instance: the message carries no data.</summary>
    public static TrainerWake Instance { get; } = new();
}
