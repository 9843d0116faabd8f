using System.Numerics.Tensors;

namespace ByzantineSim.Attacks.BitFlip;

/// <summary>
/// Bit flipping (EPFL-ML's "bitflipping"; Karimireddy, He, Jaggi, ICML 2021, arXiv 2012.10333):
/// each Byzantine client computes its own honest update and sends its negation, -g_k. Needs no
/// honest update of anyone else, and each identity sends a different vector.
/// </summary>
public sealed class BitFlipAttack() : Attack(RegistryName, AttackKnowledge.OwnGradients)
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "bit-flip";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        TensorPrimitives.Negate(context.OwnGradients.Data, output);
        return null;
    }
}
