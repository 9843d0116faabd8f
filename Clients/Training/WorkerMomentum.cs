using System.Numerics.Tensors;

namespace ByzantineSim.Clients.Training;

/// <summary>How worker momentum combines the buffer and the new gradient.</summary>
public enum MomentumForm
{
    /// <summary>m = beta m + (1 - beta) g (ByzFL; Karimireddy, He, Jaggi 2021). The default.</summary>
    Average,

    /// <summary>m = beta m + g (EPFL-ML's implementation; El Mhamdi, Guerraoui, Rouault 2021).</summary>
    Sum,
}

/// <summary>Worker-side momentum, applied by each honest client before it replies.</summary>
public static class WorkerMomentum
{
    /// <summary>Updates <paramref name="buffer"/> in place with <paramref name="gradient"/>.</summary>
    public static void Apply(Span<float> buffer, ReadOnlySpan<float> gradient, double beta, MomentumForm form) =>
        Apply(buffer, gradient, beta, form, buffer);

    /// <summary>
    /// Writes the momentum after <paramref name="previous"/> and <paramref name="gradient"/> into
    /// <paramref name="next"/> (which may be <paramref name="previous"/> itself): the same bits
    /// as updating a copy of <paramref name="previous"/> in place.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> previous, ReadOnlySpan<float> gradient, double beta, MomentumForm form, Span<float> next)
    {
        float b = (float)beta;
        float gradientWeight = form == MomentumForm.Average ? 1f - b : 1f;
        TensorPrimitives.Multiply(previous, b, next);
        TensorPrimitives.MultiplyAdd(gradient, gradientWeight, next, next);
    }
}
