using System.Collections.Frozen;
using ByzantineSim.Aggregators.Clipping;
using ByzantineSim.Attacks.Optimal;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// Attack kernels at ByzFL's benchmark sizes: n = 25 and 100 honest vectors of d = 1e6 standard
/// normal values. ALIE crafts one vector (ByzFL returns one); the optimal ALIE line-searches 20
/// evaluations against f = n / 5 copies, with the plain mean (closed form) and with a clipping
/// pre-aggregator in front of the mean (run for real each evaluation).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class AttackBenchmarks : AttackBenchmarkBase
{
    private float[] _output = [];
    private FrozenDictionary<string, IAttack> _attacks = null!;
    private AggregationPipeline _mean = null!;
    private AggregationPipeline _clippedMean = null!;

    /// <summary>Builds the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateHonest();

        _output = new float[D];
        var population = new AttackPopulation(N + (N / 5), N / 5);
        _attacks = CreateAttacks(population, ("alie", "alie", "tau=1.5"), ("ipm", "ipm", ""), ("min-max", "min-max", ""), ("opt-alie", "opt-alie", ""));
        _mean = new AggregationPipeline(BuiltInAggregators.Create("mean", N / 5));
        _clippedMean = new AggregationPipeline(BuiltInAggregators.Create("mean", N / 5), [new ClippingPreAggregator(0, new ClippingOptions(2))]);
    }

    private float[] Craft(string key, AggregationPipeline? pipeline = null, int byzantine = 1)
    {
        var output = byzantine == 1 ? _output : new float[byzantine * D];
        _attacks[key].Craft(Context(byzantine, pipeline), output);
        return output;
    }

    /// <summary>ALIE (ByzFL form, tau = 1.5): one vector.</summary>
    [Benchmark]
    public float[] Alie() => Craft("alie");

    /// <summary>IPM (eps = 0.1): one vector.</summary>
    [Benchmark]
    public float[] Ipm() => Craft("ipm");

    /// <summary>Min-max (unit direction): one vector.</summary>
    [Benchmark]
    public float[] MinMax() => Craft("min-max");

    /// <summary>Optimal ALIE against the mean: 20 evaluations (closed form), one vector.</summary>
    [Benchmark]
    public float[] OptimalAlieMean() => Craft("opt-alie", _mean);

    /// <summary>Optimal ALIE against clipping (c = 2) then mean: 20 pipeline runs on n + n/5 rows.</summary>
    [Benchmark]
    public (double, double) OptimalAlieClippedMean() =>
        OptimalAttack.Search(_clippedMean, new RowMatrix(Honest, N, D), N / 5, OptimalFamily.Alie, LineSearchOptions.Default,
            AggregationContext.Stateless, _output);
}
