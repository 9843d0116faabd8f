using System.Numerics.Tensors;
using ByzantineSim.Attacks.Poisoning;

namespace ByzantineSim.Attacks.Backdoors;

/// <summary>
/// Backdoor attacks on image data: each Byzantine client trains honestly on its own batches, a
/// share of which carry a trigger and the target label (<see cref="DataPoisoning"/>), then sends
/// that update, transformed as the variant says:
/// <list type="bullet">
/// <item><c>badnets</c> (Gu, Dolan-Gavitt, Garg 2017, arXiv 1708.06733): one square trigger (or a
/// blended noise pattern, Chen et al. 2017, arXiv 1712.05526), update sent as it is;</item>
/// <item><c>dba</c> (Xie, Huang, Chen, Li, ICLR 2020): the global trigger is split into local
/// triggers and Byzantine client k trains with local trigger k mod parts; success is measured
/// with the global trigger;</item>
/// <item><c>model-replacement</c> (Bagdasaryan et al., AISTATS 2020, arXiv 1807.00459): the update
/// is scaled by gamma so it survives averaging; the paper's gamma = n / eta becomes n / f here,
/// since the server steps with the mean of gradients (f boosted copies then sum to n times the
/// backdoor gradient);</item>
/// <item><c>neurotoxin</c> (Zhang et al., ICML 2022, arXiv 2206.10341): the update is projected
/// onto the coordinates the benign updates move least: the top share of coordinates of the
/// benign update, approximated as in the paper by the last global step theta_{t-1} - theta_t
/// (no projection in the first round), are set to zero.</item>
/// </list>
/// Options common to all: <c>boost</c> scales each update, and <c>bound: alie</c> then clamps
/// every coordinate to mean +- z * std of the honest updates (Baruch, Baruch, Goldberg, NeurIPS
/// 2019, section on backdooring), which needs the omniscient threat model.
/// </summary>
public sealed class BackdoorAttack(string name, BackdoorVariant variant, BackdoorOptions options)
    : Attack<BackdoorOptions>(name, options, AttackKnowledge.OwnGradients | (options.AlieZ is null ? AttackKnowledge.None : AttackKnowledge.HonestUpdates))
{
    /// <summary>Registry name of BadNets.</summary>
    public const string BadNetsName = "badnets";

    /// <summary>Registry name of DBA.</summary>
    public const string DbaName = "dba";

    /// <summary>Registry name of model replacement.</summary>
    public const string ReplacementName = "model-replacement";

    /// <summary>Registry name of Neurotoxin.</summary>
    public const string NeurotoxinName = "neurotoxin";

    /// <summary>The variant.</summary>
    public BackdoorVariant Variant { get; } = variant;

    /// <inheritdoc />
    public override DataPoisoning Poisoning => Options.Poisoning[0];

    /// <inheritdoc />
    public override DataPoisoning? Goal => Options.Goal;

    /// <inheritdoc />
    public override DataPoisoning? PoisoningOf(int index) => Options.Poisoning[index % Options.Poisoning.Length];

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        int d = context.Dimension;
        context.OwnGradients.Data.CopyTo(output);
        AttackState? next = null;
        if (Variant == BackdoorVariant.Neurotoxin)
        {
            if (context.State is PreviousParameters previous && previous.Values.Length == d)
            {
                var mask = NeurotoxinMask(previous.Values.Span, context.Parameters, Options.Top);
                for (int k = 0; k < context.ByzantineCount; k++)
                {
                    var row = output.Slice(k * d, d);
                    foreach (int j in mask)
                    {
                        row[j] = 0;
                    }
                }
            }

            next = new PreviousParameters(VectorPayload.CopyOf(context.Parameters));
        }

        if (Options.Boost != 1)
        {
            TensorPrimitives.Multiply(output[..(context.ByzantineCount * d)], (float)Options.Boost, output[..(context.ByzantineCount * d)]);
        }

        if (Options.AlieZ is { } z)
        {
            Bound(context.HonestUpdates, (float)z, output[..(context.ByzantineCount * d)]);
        }

        return next;
    }

    /// <summary>
    /// The indices of the ceil(<paramref name="top"/> * d) coordinates where the global step
    /// |previous - current| is largest (ties to the lower index), in increasing order.
    /// </summary>
    public static int[] NeurotoxinMask(ReadOnlySpan<float> previous, ReadOnlySpan<float> current, double top)
    {
        int d = current.Length;
        int count = (int)Math.Ceiling(top * d);
        if (count == 0)
        {
            return [];
        }

        // The count-th largest movement by one native sort of a copy; then the coordinates
        // above it, and as many equal to it as fit, lowest index first.
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(2 * d);
        try
        {
            var movement = rented.AsSpan(0, d);
            var sorted = rented.AsSpan(d, d);
            for (int j = 0; j < d; j++)
            {
                movement[j] = Math.Abs(previous[j] - current[j]);
            }

            movement.CopyTo(sorted);
            sorted.Sort();
            float threshold = sorted[d - count];
            int above = 0;
            foreach (float m in movement)
            {
                above += m > threshold ? 1 : 0;
            }

            var chosen = new int[count];
            int taken = 0, ties = count - above;
            for (int j = 0; j < d && taken < count; j++)
            {
                if (movement[j] > threshold || (movement[j] == threshold && ties-- > 0))
                {
                    chosen[taken++] = j;
                }
            }

            return chosen;
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Clamps every row of <paramref name="rows"/> into mean +- z * std of <paramref name="honest"/>, per coordinate.</summary>
    public static void Bound(RowMatrix honest, float z, Span<float> rows)
    {
        int d = honest.Columns;
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(2 * d);
        try
        {
            var low = rented.AsSpan(0, d);
            var high = rented.AsSpan(d, d);
            AttackKernels.MeanMinusAndPlusScaledStd(honest, z, low, high);
            for (int start = 0; start < rows.Length; start += d)
            {
                var row = rows.Slice(start, d);
                TensorPrimitives.Max(row, low, row);
                TensorPrimitives.Min(row, high, row);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Neurotoxin's memory: theta of the previous round.</summary>
    /// <param name="Values">theta_{t-1}.</param>
    private sealed record PreviousParameters(VectorPayload Values) : AttackState;
}
