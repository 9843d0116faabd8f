using ByzantineSim.Core.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace ByzantineSim.Testing;

/// <summary>What the Byzantine rows of a scenario contain.</summary>
public enum ByzantineKind
{
    /// <summary>All at the honest mean plus a random direction times a random multiple of the honest spread.</summary>
    Shifted,

    /// <summary>Copies of the honest row farthest from the honest mean.</summary>
    CopyOutlier,

    /// <summary>A little is enough: honest mean minus 1.5 honest standard deviations, per coordinate.</summary>
    LittleIsEnough,

    /// <summary>Independent Gaussian noise with a large scale.</summary>
    Noise,

    /// <summary>Every coordinate 1e38 (finite, but overflows any square).</summary>
    Huge,

    /// <summary>Every coordinate NaN.</summary>
    NaN,

    /// <summary>+Inf and -Inf, alternating by row.</summary>
    Infinite,

    /// <summary>A NaN, an Inf and a 1e38 scattered in an otherwise honest-looking row.</summary>
    Mixed,
}

/// <summary>
/// A random population: n rows of dimension d, the first n - f honest (Gaussian around a random
/// centre with a random spread, or all equal), the last f Byzantine of a given kind.
/// Materialised from a seed so that FsCheck shrinks over small numbers, not matrices.
/// </summary>
/// <param name="N">Rows.</param>
/// <param name="F">Byzantine rows (the last F).</param>
/// <param name="D">Dimension.</param>
/// <param name="Seed">Seed of every random value.</param>
/// <param name="Kind">What the Byzantine rows contain.</param>
/// <param name="Agreeing">All honest rows equal.</param>
public sealed record AggregatorScenario(int N, int F, int D, ulong Seed, ByzantineKind Kind, bool Agreeing)
{
    /// <summary>True for kinds whose rows contain NaN, Inf or values that overflow.</summary>
    public bool NonFinite => Kind is ByzantineKind.Huge or ByzantineKind.NaN or ByzantineKind.Infinite or ByzantineKind.Mixed;

    /// <summary>The n x d rows, honest first.</summary>
    public float[] Build()
    {
        var random = new DeterministicRandom(Seed);
        var (centre, spread) = HonestPopulation(random);
        int honest = N - F;
        var data = new float[N * D];
        var shared = Enumerable.Range(0, D).Select(_ => (float)(centre + (spread * random.NextGaussian()))).ToArray();
        for (int i = 0; i < honest; i++)
        {
            for (int k = 0; k < D; k++)
            {
                data[(i * D) + k] = Agreeing ? shared[k] : (float)(centre + (spread * random.NextGaussian()));
            }
        }

        var mean = new double[D];
        var std = new double[D];
        for (int k = 0; k < D; k++)
        {
            for (int i = 0; i < honest; i++)
            {
                mean[k] += data[(i * D) + k] / (double)honest;
            }

            for (int i = 0; i < honest; i++)
            {
                std[k] += Math.Pow(data[(i * D) + k] - mean[k], 2) / Math.Max(1, honest - 1);
            }

            std[k] = Math.Sqrt(std[k]);
        }

        int outlier = Enumerable.Range(0, honest)
            .OrderByDescending(i => Enumerable.Range(0, D).Sum(k => Math.Pow(data[(i * D) + k] - mean[k], 2)))
            .First();
        var direction = Enumerable.Range(0, D).Select(_ => random.NextGaussian()).ToArray();
        double length = Math.Sqrt(direction.Sum(v => v * v));
        double multiple = new[] { 0.3, 1, 3, 10, 1000 }[random.Next(5)] * spread;
        for (int i = honest; i < N; i++)
        {
            for (int k = 0; k < D; k++)
            {
                data[(i * D) + k] = Kind switch
                {
                    ByzantineKind.Shifted => (float)(mean[k] + (multiple * direction[k] / length * Math.Sqrt(D))),
                    ByzantineKind.CopyOutlier => data[(outlier * D) + k],
                    ByzantineKind.LittleIsEnough => (float)(mean[k] - (1.5 * std[k])),
                    ByzantineKind.Noise => (float)(centre + (100 * spread * random.NextGaussian())),
                    ByzantineKind.Huge => 1e38f,
                    ByzantineKind.NaN => float.NaN,
                    ByzantineKind.Infinite => i % 2 == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                    _ => (k % 3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => 1e38f },
                };
            }
        }

        return data;
    }

    /// <summary>Only the honest rows.</summary>
    public float[] Honest(float[] data) => data[..((N - F) * D)];

    /// <summary>The centre (in [-10, 10)) and spread (10^-1.5 to 10^1.5) of an honest population, the first two draws of a scenario.</summary>
    public static (double Centre, double Spread) HonestPopulation(DeterministicRandom random) =>
        ((random.NextDouble() * 20) - 10, Math.Pow(10, (random.NextDouble() * 3) - 1.5));
}

/// <summary>FsCheck arbitraries shared by the aggregator property tests.</summary>
public static class AggregatorArbitraries
{
    /// <summary>
    /// Scenarios with f in 0..3 and n in [2f + 1, 4f + 7] (from the tightest honest majority to
    /// Bulyan's n &gt;= 4f + 3), d in 1..40. Rules that do not accept a given n are skipped by the laws.
    /// </summary>
    public static Arbitrary<AggregatorScenario> Scenario() => Arb.From(ScenarioGen(allowNonFinite: true, agreeing: null));

    /// <summary>The generator behind <see cref="Scenario"/>.</summary>
    public static Gen<AggregatorScenario> ScenarioGen(bool allowNonFinite, bool? agreeing) =>
        from f in Gen.Choose(0, 3)
        from n in Gen.Choose((2 * f) + 1, (4 * f) + 7)
        from d in Gen.Elements(1, 2, 3, 7, 16, 17, 40)
        from seed in Gen.Choose(0, int.MaxValue)
        from kind in Gen.Elements(allowNonFinite ? Enum.GetValues<ByzantineKind>() : FiniteKinds)
        from agree in agreeing is { } fixedValue ? Gen.Constant(fixedValue) : Gen.Elements(false, false, true)
        select new AggregatorScenario(n, f, d, (ulong)seed, kind, agree);

    private static ByzantineKind[] FiniteKinds =>
        [ByzantineKind.Shifted, ByzantineKind.CopyOutlier, ByzantineKind.LittleIsEnough, ByzantineKind.Noise];
}

/// <summary>Arbitraries for the (f, kappa) law: finite adversarial rows, honest rows never all equal.</summary>
public static class RobustnessArbitraries
{
    /// <summary>Finite scenarios with spread-out honest rows.</summary>
    public static Arbitrary<AggregatorScenario> Scenario() => Arb.From(AggregatorArbitraries.ScenarioGen(allowNonFinite: false, agreeing: false));
}

/// <summary>Arbitraries for the agreement law: honest rows all equal.</summary>
public static class AgreementArbitraries
{
    /// <summary>Scenarios whose honest rows coincide, Byzantine rows of any kind.</summary>
    public static Arbitrary<AggregatorScenario> Scenario() => Arb.From(AggregatorArbitraries.ScenarioGen(allowNonFinite: true, agreeing: true));
}
