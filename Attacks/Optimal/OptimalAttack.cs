using System.Buffers;
using ByzantineSim.Aggregators;

namespace ByzantineSim.Attacks.Optimal;

/// <summary>The family of candidate vectors an optimal attack searches.</summary>
public enum OptimalFamily
{
    /// <summary>IPM: b(x) = -x * mean(honest) (ByzFL's Opt-IPM).</summary>
    Ipm,

    /// <summary>ALIE in ByzFL's form: b(x) = mean + x * std (ByzFL's Opt-ALIE).</summary>
    Alie,

    /// <summary>Fang et al.'s directed deviation: b(x) = -x * sign(mean(honest)) (USENIX Security 2020, arXiv 1911.11815).</summary>
    Fang,
}

/// <summary>
/// Optimal (adaptive) attacks (Allouah et al., AISTATS 2023, arXiv 2302.01772; ByzFL's Opt-IPM
/// and Opt-ALIE): the coalition knows the server's pre-aggregators and aggregator F and, each
/// round, line-searches the attack's factor x >= 0 to maximise
/// || F(honest + f copies of b(x)) - mean(honest) || (<see cref="LineSearch"/>, evaluated by
/// <see cref="DamageProbe"/>); all Byzantine clients then send b(x*). Needs the omniscient threat
/// model and knowledge of the aggregator. Rule state (centered clipping's centre) is not visible
/// to the coalition: the search evaluates the pipeline from a fresh state.
/// </summary>
public sealed class OptimalAttack(string name, OptimalFamily family, LineSearchOptions options)
    : Attack<LineSearchOptions>(name, options, AttackKnowledge.HonestUpdates | AttackKnowledge.Aggregator, sendsOneVector: true)
{
    /// <summary>Registry name of the optimal IPM.</summary>
    public const string IpmName = "opt-ipm";

    /// <summary>Registry name of the optimal ALIE.</summary>
    public const string AlieName = "opt-alie";

    /// <summary>Registry name of Fang's directed deviation, line-searched against the actual pipeline.</summary>
    public const string FangName = "opt-fang";

    /// <summary>The candidate family.</summary>
    public OptimalFamily Family { get; } = family;

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        int d = context.Dimension;
        Search(context.Aggregator!, context.HonestUpdates, context.ByzantineCount, Family, Options,
            new AggregationContext(context.Round, Seed.Derive(context.Seed, "optimal-search"), null), output[..d]);
        return null;
    }

    /// <summary>
    /// The search itself: writes b(x*) into <paramref name="destination"/> and returns x* and its
    /// damage. Scratch comes from the shared array pool, so repeated calls do not allocate.
    /// </summary>
    public static (double Factor, double Damage) Search(
        AggregationPipeline pipeline,
        RowMatrix honest,
        int byzantine,
        OptimalFamily family,
        LineSearchOptions options,
        AggregationContext aggregation,
        Span<float> destination)
    {
        int d = honest.Columns;
        long probeLength = DamageProbe.ScratchLength(pipeline, honest.Rows, byzantine, d);
        float[] statistics = ArrayPool<float>.Shared.Rent(2 * d);
        float[] scratch = ArrayPool<float>.Shared.Rent((int)Math.Max(1, probeLength));
        try
        {
            var mean = statistics.AsSpan(0, d);
            var direction = statistics.AsSpan(d, d);
            ReadOnlySpan<float> baseVector;
            if (family == OptimalFamily.Alie)
            {
                AttackKernels.MeanAndStd(honest, mean, direction);
                baseVector = mean;
            }
            else if (family == OptimalFamily.Fang)
            {
                AttackKernels.ScaledMean(honest, 1f, mean);
                for (int j = 0; j < d; j++)
                {
                    direction[j] = -MathF.Sign(mean[j]);
                }

                baseVector = [];
            }
            else
            {
                AttackKernels.ScaledMean(honest, 1f, mean);
                System.Numerics.Tensors.TensorPrimitives.Negate(mean, direction);
                baseVector = [];
            }

            var probe = new DamageProbe(pipeline, honest, byzantine, mean, baseVector, direction, aggregation, scratch.AsSpan(0, (int)probeLength));
            var (factor, damage) = LineSearch.Maximize(ref probe, options);
            probe.Candidate(factor, destination);
            return (factor, damage);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
            ArrayPool<float>.Shared.Return(statistics);
        }
    }
}
