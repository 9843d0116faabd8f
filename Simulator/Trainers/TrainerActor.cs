using System.Diagnostics;
using Akka.Actor;
using ByzantineSim.Aggregators.Numerics;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// Holds TorchSharp modules and computes gradients and evaluations on request. It runs on a
/// pinned dispatcher (one dedicated thread), so each computation starts and ends on the thread
/// that owns its DisposeScope; a failure is reported to the requester and the trainer lives on.
/// </summary>
public sealed class TrainerActor : ReceiveActor
{
    /// <summary>The dispatcher trainers run on (see <see cref="SimulatorSystem"/>'s configuration).</summary>
    public const string DispatcherId = "byzantinesim.trainer-dispatcher";

    private readonly Dictionary<string, ModelRunner> _runners = new(StringComparer.Ordinal);

    /// <summary>Creates a trainer.</summary>
    public TrainerActor()
    {
        Receive<ComputeGradient>(request => Reply(request.Tag, () =>
        {
            var watch = Stopwatch.StartNew();
            var runner = RunnerFor(request.Model);
            var gradient = GC.AllocateUninitializedArray<float>(runner.ParameterCount); // fully overwritten
            double loss = runner.Run(request.Parameters.Span, request.Data, request.Work, gradient);
            return new GradientComputed(request.Tag, VectorPayload.TakeOwnership(gradient), loss, watch.Elapsed.TotalSeconds);
        }));
        Receive<EvaluateModel>(request => Reply(request.Tag, () =>
        {
            var watch = Stopwatch.StartNew();
            var sums = RunnerFor(request.Model).EvaluateRange(request.Parameters.Span, request.Data, request.Start, request.Count);
            return new ModelEvaluated(request.Tag, sums, watch.Elapsed.TotalSeconds);
        }));
    }

    /// <summary>Props for a trainer on the pinned trainer dispatcher.</summary>
    public static Props Props() => Akka.Actor.Props.Create(() => new TrainerActor()).WithDispatcher(DispatcherId);

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var runner in _runners.Values)
        {
            runner.Dispose();
        }

        _runners.Clear();
    }

    private void Reply(long tag, Func<object> compute)
    {
        object reply;
        try
        {
            reply = compute();
        }
#pragma warning disable CA1031 // A failed computation is reported to the requester, never allowed to kill the trainer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reply = new ComputationFailed(tag, $"{ex.GetType().Name}: {ex.Message}");
        }

        Sender.Tell(reply);
    }

    private ModelRunner RunnerFor(ModelKey model)
    {
        if (!_runners.TryGetValue(model.Key, out var runner))
        {
            runner = new ModelRunner(model.Definition, model.InputShape, model.Classes);
            _runners.Add(model.Key, runner);
        }

        return runner;
    }
}
