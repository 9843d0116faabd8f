using System.Numerics.Tensors;
using ByzantineSim.Aggregators.Numerics;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The server's SGD step as an immutable state transition:
/// g = aggregate + weight_decay * theta; v = beta * v + g (server momentum, when beta > 0);
/// theta' = theta - lr(t) * v. Each step writes a new theta, which clients then share
/// read-only; its array comes from <see cref="PayloadPool.Shared"/>, and the server releases it
/// when nothing reads it any more.
/// </summary>
/// <param name="Parameters">theta_t.</param>
/// <param name="Velocity">Server momentum buffer (null when unused or before the first step).</param>
public sealed record ServerOptimizer(VectorPayload Parameters, VectorPayload? Velocity)
{
    /// <summary>Takes one step with <paramref name="aggregate"/> at round <paramref name="round"/>; <paramref name="scratch"/> (d values) is overwritten.</summary>
    public ServerOptimizer Step(ReadOnlySpan<float> aggregate, int round, TrainingSettings training, Span<float> scratch)
    {
        var direction = scratch[..Parameters.Length];
        TensorPrimitives.MultiplyAdd(Parameters.Span, (float)training.WeightDecay, aggregate, direction);
        VectorPayload? velocity = null;
        if (training.ServerMomentum > 0)
        {
            if (Velocity is { } previous)
            {
                TensorPrimitives.MultiplyAdd(previous.Span, (float)training.ServerMomentum, direction, direction);
            }

            velocity = VectorPayload.CopyOf(direction);
        }

        var next = PayloadPool.Shared.Rent(Parameters.Length); // fully overwritten
        TensorPrimitives.MultiplyAdd(direction, (float)-training.LearningRate.At(round), Parameters.Span, next);
        return new ServerOptimizer(VectorPayload.TakeOwnership(next, PayloadPool.Shared), velocity);
    }
}
