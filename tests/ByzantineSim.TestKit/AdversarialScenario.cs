using ByzantineSim.Core.Numerics;
using ByzantineSim.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ByzantineSim.TestKit;

/// <summary>What one adversarial row of an <see cref="AdversarialScenario"/> holds.</summary>
public enum AdversarialKind
{
    /// <summary>Every coordinate -M, M huge (1e20, 1e30 or near float.MaxValue): the `gaussian mean: -1e20 same: true` bypass.</summary>
    HugeNegative,

    /// <summary>Every coordinate +M.</summary>
    HugePositive,

    /// <summary>Huge values of random signs.</summary>
    HugeMixedSigns,

    /// <summary>Huge positive values except one coordinate, negative and larger in magnitude (a signed largest magnitude).</summary>
    NegativeLargest,

    /// <summary>+-float.MaxValue and its neighbours: every square overflows, so does any sum.</summary>
    NearMaxValue,

    /// <summary>Subnormal values (and zeros): every square underflows to zero.</summary>
    Subnormal,

    /// <summary>NaN, +Inf, -Inf and huge values scattered among honest-looking coordinates.</summary>
    MixedNonFinite,

    /// <summary>A copy of one honest row.</summary>
    CopyOfHonest,

    /// <summary>All coordinates negative, far outside the honest spread but far from overflow (-1e6 scale).</summary>
    AllNegative,
}

/// <summary>
/// The fuzz population of the robust pipeline: n - f honest rows (Gaussian around a random centre)
/// and f adversarial rows, each of its own <see cref="AdversarialKind"/>, optionally all equal to
/// the first (a coalition sending one vector). Materialised from a seed so FsCheck shrinks over
/// small numbers.
/// </summary>
/// <param name="N">Rows.</param>
/// <param name="F">Adversarial rows (the last F).</param>
/// <param name="D">Dimension.</param>
/// <param name="Seed">Seed of every random value.</param>
/// <param name="Kinds">One kind per adversarial row.</param>
/// <param name="Same">Every adversarial row equals the first one.</param>
public sealed record AdversarialScenario(int N, int F, int D, ulong Seed, AdversarialKind[] Kinds, bool Same)
{
    private static readonly float[] HugeScales = [1e20f, 1e30f, 3e38f, float.MaxValue];

    /// <summary>The n x d rows, honest first.</summary>
    public float[] Build()
    {
        var random = new DeterministicRandom(Seed);
        var (centre, spread) = AggregatorScenario.HonestPopulation(random);
        int honest = N - F;
        var data = new float[N * D];
        for (int i = 0; i < honest * D; i++)
        {
            data[i] = (float)(centre + (spread * random.NextGaussian()));
        }

        for (int b = 0; b < F; b++)
        {
            var row = data.AsSpan((honest + b) * D, D);
            if (Same && b > 0)
            {
                data.AsSpan(honest * D, D).CopyTo(row);
                continue;
            }

            Fill(row, Kinds[b], random, data.AsSpan(random.Next(honest) * D, D));
        }

        return data;
    }

    /// <summary>Only the honest rows.</summary>
    public float[] Honest(float[] data) => data[..((N - F) * D)];

    /// <inheritdoc />
    public override string ToString() =>
        $"n={N} f={F} d={D} seed={Seed} same={Same} kinds=[{string.Join(", ", Kinds)}]";

    private static void Fill(Span<float> row, AdversarialKind kind, DeterministicRandom random, ReadOnlySpan<float> honestRow)
    {
        float huge = HugeScales[random.Next(HugeScales.Length)];
        for (int k = 0; k < row.Length; k++)
        {
            row[k] = kind switch
            {
                AdversarialKind.HugeNegative => -huge,
                AdversarialKind.HugePositive => huge,
                AdversarialKind.HugeMixedSigns => random.Next(2) == 0 ? huge : -huge,
                AdversarialKind.NegativeLargest => k == 0 ? -huge : huge * 0.5f,
                AdversarialKind.NearMaxValue => (random.Next(2) == 0 ? 1 : -1) * BitConverter.Int32BitsToSingle(0x7F7FFFFF - random.Next(4)),
                AdversarialKind.Subnormal => random.Next(4) == 0 ? 0f : (random.Next(2) == 0 ? 1 : -1) * BitConverter.Int32BitsToSingle(1 + random.Next(0x007FFFFF)),
                AdversarialKind.MixedNonFinite => (random.Next(5)) switch
                {
                    0 => float.NaN,
                    1 => float.PositiveInfinity,
                    2 => float.NegativeInfinity,
                    3 => -huge,
                    _ => honestRow[k],
                },
                AdversarialKind.CopyOfHonest => honestRow[k],
                _ => (float)(-1e6 * (1 + random.NextDouble())),
            };
        }
    }
}

/// <summary>FsCheck arbitraries of the fuzz suite.</summary>
public static class AdversarialArbitraries
{
    /// <summary>
    /// f in 1..3 with n from the tightest honest majority 2f + 1 to 6f + 7 (bucketing before Bulyan
    /// needs that many), d in 1..40, each
    /// adversarial row of any kind; one scenario in three has every adversarial row equal.
    /// </summary>
    public static Arbitrary<AdversarialScenario> Scenario() => Arb.From(
        from f in Gen.Choose(1, 3)
        from n in Gen.Choose((2 * f) + 1, (6 * f) + 7)
        from d in Gen.Elements(1, 2, 3, 7, 16, 17, 40)
        from seed in Gen.Choose(0, int.MaxValue)
        from kinds in Gen.Elements(Enum.GetValues<AdversarialKind>()).ArrayOf(f)
        from same in Gen.Elements(false, false, true)
        select new AdversarialScenario(n, f, d, (ulong)seed, kinds, same));
}
