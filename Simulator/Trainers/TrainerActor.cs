using System.Diagnostics;
using Akka.Actor;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// Holds TorchSharp modules and computes gradients and evaluations for the
/// <see cref="TrainerPool"/>, replying to each requester: woken by the pool, it takes jobs from
/// the shared <see cref="WorkQueue"/> until it is empty, then tells the pool it is idle. It runs
/// on a pinned dispatcher (one dedicated thread), so each computation starts and ends on the
/// thread that owns its DisposeScope; a failure is reported to the requester and the trainer lives on.
/// </summary>
public sealed class TrainerActor : ReceiveActor
{
    /// <summary>The dispatcher trainers run on (see <see cref="SimulatorSystem"/>'s configuration).</summary>
    public const string DispatcherId = "byzantinesim.trainer-dispatcher";

    private readonly Dictionary<string, ModelRunner> _runners = new(StringComparer.Ordinal);
    private readonly WorkQueue _work;

    /// <summary>Creates a trainer that takes its jobs from <paramref name="work"/>.</summary>
    public TrainerActor(WorkQueue work)
    {
        _work = work;
        Receive<TrainerWake>(_ =>
        {
            // Job after job on this thread, without going back through the pool between them.
            for (var job = _work.TryTake(); job is not null; job = _work.TryTake(finishedOne: true))
            {
                if (job.Requests[0].Request is ComputeGradient { Work.Mode: LocalMode.Gradient, Statistics.IsDefault: true })
                {
                    ComputeTogether(job.Requests);
                }
                else
                {
                    // A request with running statistics is never grouped (CanShareWith), so a job holds one.
                    job.Requests[0].ReplyTo.Tell(Compute(job.Requests[0].Request));
                }
            }

            Context.Parent.Tell(TrainerReady.Instance);
        });
    }

    /// <inheritdoc />
    protected override void PreStart() => Context.Parent.Tell(TrainerReady.Instance);

    /// <summary>Props for a trainer on the pinned trainer dispatcher.</summary>
    public static Props Props(WorkQueue work) => Akka.Actor.Props.Create(() => new TrainerActor(work)).WithDispatcher(DispatcherId);

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var runner in _runners.Values)
        {
            runner.Dispose();
        }

        _runners.Clear();
    }

    private static object Guarded(object request, Func<object> compute)
    {
        try
        {
            return compute();
        }
#pragma warning disable CA1031 // A failed computation is reported to the requester, never allowed to kill the trainer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Failed(request, ex);
        }
    }

    /// <summary>The failure reply to <paramref name="request"/>: a client's <see cref="UpdateFailed"/> when the trainer submits for it, else <see cref="ComputationFailed"/>.</summary>
    private static object Failed(object request, Exception ex)
    {
        string reason = $"{ex.GetType().Name}: {ex.Message}", trace = ex.ToString();
        return request switch
        {
            ComputeGradient { SubmitFor: { } client } gradient => new UpdateFailed((int)gradient.Tag, client, reason) { Trace = trace },
            ComputeGradient gradient => new ComputationFailed(gradient.Tag, reason) { Trace = trace },
            EvaluateModel evaluation => new ComputationFailed(evaluation.Tag, reason) { Trace = trace },
            _ => throw new ArgumentException($"unknown request {request.GetType().Name}", nameof(request)),
        };
    }

    /// <summary>
    /// The reply to a gradient request: <see cref="GradientComputed"/> for its client, or, when
    /// the trainer submits for the client, the client's <see cref="UpdateSubmitted"/>, checked
    /// for NaN/Inf here, while this core still holds the values, and counted in its compute time.
    /// </summary>
    private static object Reply(ComputeGradient request, VectorPayload update, double loss, double seconds, ImmutableArray<float> statistics = default)
    {
        if (request.SubmitFor is not { } client)
        {
            return new GradientComputed(request.Tag, update, loss, seconds) { Statistics = statistics };
        }

        long checking = Stopwatch.GetTimestamp();
        _ = update.Norm(); // the server's finiteness check and a norm-ranking rule read it
        seconds += Stopwatch.GetElapsedTime(checking).TotalSeconds;
        return new UpdateSubmitted((int)request.Tag, client, update, loss, 32L * update.Length, seconds) { Statistics = statistics };
    }

    /// <summary>One request other than a D-SGD gradient (<see cref="ComputeTogether"/>): local steps, or an evaluation.</summary>
    private object Compute(object request) => request switch
    {
        ComputeGradient gradient => Guarded(gradient, () =>
        {
            var watch = Stopwatch.StartNew();
            var runner = RunnerFor(gradient.Model);
            var (output, update) = Output(gradient, runner.ParameterCount);
            if (!gradient.Statistics.IsDefault)
            {
                var statistics = gradient.Statistics.ToArray();
                double withStatistics = runner.RunWithStatistics(gradient.Parameters.Span, gradient.Data, gradient.Work, output.Span, statistics);
                return Reply(gradient, update, withStatistics, watch.Elapsed.TotalSeconds, ImmutableArray.Create(statistics));
            }

            double loss = runner.Run(gradient.Parameters.Span, gradient.Data, gradient.Work, output.Span, gradient.Parameters);
            return Reply(gradient, update, loss, watch.Elapsed.TotalSeconds);
        }),
        EvaluateModel evaluation => Guarded(evaluation, () =>
        {
            var watch = Stopwatch.StartNew();
            var sums = RunnerFor(evaluation.Model).EvaluateRange(
                evaluation.Parameters.Span, evaluation.Data, evaluation.Start, evaluation.Count, statistics: evaluation.Statistics.IsDefault ? default : evaluation.Statistics.AsSpan());
            return new ModelEvaluated(evaluation.Tag, sums, watch.Elapsed.TotalSeconds);
        }),
        _ => throw new ArgumentException($"unknown request {request.GetType().Name}", nameof(request)),
    };

    /// <summary>
    /// D-SGD gradients of one or more clients, in one pass (each at its own parameters when they differ), written into
    /// each request's output's array directly; on failure every requester is told.
    /// </summary>
    private void ComputeTogether(ImmutableArray<PendingRequest> requests)
    {
        var gradients = requests.Select(r => (ComputeGradient)r.Request).ToList();
        var first = gradients[0];
        object[] replies;
        try
        {
            var watch = Stopwatch.StartNew();
            var runner = RunnerFor(first.Model);
            var outputs = gradients.Select(g => Output(g, runner.ParameterCount)).ToList();
            var works = gradients.Select(g => g.Work).ToList();
            var memories = outputs.Select(o => o.Memory).ToList();
            var losses = gradients.All(first.SharesParametersWith)
                ? runner.RunTogether(first.Parameters.Span, first.Data, works, memories, first.Parameters)
                : runner.RunEach([.. gradients.Select(g => g.Parameters.Memory)], first.Data, works, memories);
            double seconds = watch.Elapsed.TotalSeconds / gradients.Count; // the pass's time, shared equally
            replies = [.. gradients.Select((g, k) => Reply(g, outputs[k].Update, losses[k], seconds))];
        }
#pragma warning disable CA1031 // Reported to every requester, never allowed to kill the trainer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            replies = [.. gradients.Select(g => Failed(g, ex))];
        }

        for (int k = 0; k < requests.Length; k++)
        {
            requests[k].ReplyTo.Tell(replies[k]);
        }
    }

    /// <summary>
    /// Where a gradient is written, fully overwritten, and the payload the reply carries over it:
    /// the request's destination, or else a payload rented from the request's buffers (the
    /// round's lease, which the requester holds until the reply reaches the server).
    /// </summary>
    private static (Memory<float> Memory, VectorPayload Update) Output(ComputeGradient request, int length)
    {
        if (request.Destination.Length == length)
        {
            return (request.Destination, VectorPayload.Over(request.Destination));
        }

        var payload = (request.Buffers ?? UnpooledPayloads.Instance).Rent(length);
        return (System.Runtime.InteropServices.MemoryMarshal.AsMemory(payload.Memory), payload);
    }

    private ModelRunner RunnerFor(ModelKey model)
    {
        if (!_runners.TryGetValue(model.Key, out var runner))
        {
            runner = new ModelRunner(model.Definition, model.InputShape, model.Classes, model.Device);
            _runners.Add(model.Key, runner);
        }

        return runner;
    }
}
