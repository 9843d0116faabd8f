using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The server's SGD step as an immutable state transition:
/// g = aggregate + weight_decay * theta; v = beta * v + g (server momentum, when beta > 0);
/// theta' = theta - lr(t) * v. Each step writes a new theta, which clients then share
/// read-only; it is rented from the next round's lease, which outlives everyone reading it.
/// </summary>
/// <param name="Parameters">theta_t.</param>
/// <param name="Velocity">Server momentum buffer (null when unused or before the first step).</param>
public sealed record ServerOptimizer(VectorPayload Parameters, VectorPayload? Velocity)
{
    /// <summary>
    /// Takes one step with <paramref name="aggregate"/> at round <paramref name="round"/>, writing the
    /// new theta into a payload rented from <paramref name="into"/>; <paramref name="scratch"/> (d values) is overwritten.
    /// </summary>
    public ServerOptimizer Step(ReadOnlySpan<float> aggregate, int round, TrainingSettings training, Span<float> scratch, IPayloadSource into)
    {
        var next = into.Rent(Parameters.Length); // fully overwritten
        var theta = System.Runtime.InteropServices.MemoryMarshal.AsMemory(next.Memory).Span;
        if (training.ServerMomentum <= 0)
        {
            PlainStep(Parameters.Span, aggregate, (float)training.WeightDecay, (float)-training.LearningRate.At(round), theta);
            return new ServerOptimizer(next, null);
        }

        var direction = scratch[..Parameters.Length];
        TensorPrimitives.MultiplyAdd(Parameters.Span, (float)training.WeightDecay, aggregate, direction);
        if (Velocity is { } previous)
        {
            TensorPrimitives.MultiplyAdd(previous.Span, (float)training.ServerMomentum, direction, direction);
        }

        var velocity = VectorPayload.CopyOf(direction);
        TensorPrimitives.MultiplyAdd(direction, (float)-training.LearningRate.At(round), Parameters.Span, theta);
        return new ServerOptimizer(next, velocity);
    }

    /// <summary>
    /// next = (theta * decay + aggregate) * -lr + theta in one pass, rounded after each multiply
    /// and add exactly as the momentum path's two passes are (no fused multiply-add).
    /// </summary>
    private static void PlainStep(ReadOnlySpan<float> theta, ReadOnlySpan<float> aggregate, float decay, float negativeRate, Span<float> next)
    {
        int k = 0;
        var d = Vector256.Create(decay);
        var r = Vector256.Create(negativeRate);
        for (; k + Vector256<float>.Count <= theta.Length; k += Vector256<float>.Count)
        {
            var t = Vector256.Create(theta.Slice(k, Vector256<float>.Count));
            var direction = (t * d) + Vector256.Create(aggregate.Slice(k, Vector256<float>.Count));
            ((direction * r) + t).CopyTo(next.Slice(k, Vector256<float>.Count));
        }

        for (; k < theta.Length; k++)
        {
            float direction = (theta[k] * decay) + aggregate[k];
            next[k] = (direction * negativeRate) + theta[k];
        }
    }
}
