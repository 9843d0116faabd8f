using System.Collections.Frozen;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// Crafting cost of the backdoor and Fang attacks at <see cref="AttackBenchmarks"/>' sizes: n = 25
/// and 100 honest vectors of d = 1e6 standard normal values, f = n / 5 Byzantine clients whose own
/// (poisoned) updates are the first f honest rows. The data-poisoning part of a backdoor or a
/// label flip (stamping a trigger on a share of a batch, relabelling) happens in the Byzantine
/// clients' training, not here: <see cref="PoisoningBenchmarks"/> measures it per batch. IPM and
/// ALIE, attacks of <see cref="AttackBenchmarks"/>, run in the same job as references measured
/// under the same load (IPM, one streaming read of the honest matrix, is the Ratio baseline).
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class TargetedAttackBenchmarks : AttackBenchmarkBase
{
    private float[] _output = [];
    private float[] _previous = [];
    private float[] _zero = [];
    private FrozenDictionary<string, IAttack> _attacks = null!;
    private AttackState? _neurotoxinState;
    private AggregationPipeline _mean = null!;

    private int F => N / 5;

    /// <summary>Builds the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = CreateHonest();

        _previous = [.. Enumerable.Range(0, D).Select(_ => (float)random.NextGaussian())];
        _output = new float[F * D];
        _zero = new float[D];
        var population = new AttackPopulation(N + F, F, 10, [1, 1000, 1000]);
        _attacks = CreateAttacks(
            population,
            ("ipm", "ipm", ""),
            ("alie", "alie", "tau=1.5"),
            ("badnets", "badnets", ""),
            ("dba", "dba", ""),
            ("targeted-label-flip", "targeted-label-flip", ""),
            ("multi-label-flip", "multi-label-flip", ""),
            ("model-replacement", "model-replacement", ""),
            ("boost-alie-bound", "model-replacement", "bound=alie"),
            ("neurotoxin", "neurotoxin", ""),
            ("fang-krum", "fang-krum", ""),
            ("fang-krum-partial", "fang-krum", "knowledge=partial"),
            ("fang-trim", "fang-trim", ""),
            ("fang-trim-partial", "fang-trim", "knowledge=partial"),
            ("opt-fang", "opt-fang", ""));
        _mean = new AggregationPipeline(BuiltInAggregators.Create("mean", F));
        _neurotoxinState = Craft("neurotoxin", parameters: _previous);
    }

    private AttackState? Craft(string key, AggregationPipeline? pipeline = null, AttackState? state = null, float[]? parameters = null) =>
        _attacks[key].Craft(
            Context(F, pipeline) with
            {
                Parameters = parameters ?? _zero,
                OwnGradients = new RowMatrix(Honest.AsSpan(0, F * D), F, D),
                State = state,
            },
            _attacks[key].SendsOneVector ? _output.AsSpan(0, D) : _output);

    /// <summary>IPM (eps = 0.1), one vector: the reference of <see cref="AttackBenchmarks"/>, one read of the honest matrix.</summary>
    [Benchmark(Baseline = true)]
    public AttackState? Ipm() => Craft("ipm");

    /// <summary>ALIE (tau = 1.5), one vector: the other reference of <see cref="AttackBenchmarks"/>.</summary>
    [Benchmark]
    public AttackState? Alie() => Craft("alie");

    /// <summary>BadNets: the own (poisoned) updates, copied.</summary>
    [Benchmark]
    public AttackState? BadNets() => Craft("badnets");

    /// <summary>DBA: the own updates, copied (the local triggers differ only in training).</summary>
    [Benchmark]
    public AttackState? Dba() => Craft("dba");

    /// <summary>Targeted label flipping (1 -> 7): the own updates, copied.</summary>
    [Benchmark]
    public AttackState? TargetedLabelFlip() => Craft("targeted-label-flip");

    /// <summary>Multi-label flipping ([1, 2, 3] -> 7): the own updates, copied.</summary>
    [Benchmark]
    public AttackState? MultiLabelFlip() => Craft("multi-label-flip");

    /// <summary>Model replacement (boost n / f, no bound): f rows copied and scaled.</summary>
    [Benchmark]
    public AttackState? ModelReplacement() => Craft("model-replacement");

    /// <summary>Model replacement (boost n / f) with the ALIE bound: f rows scaled and clamped.</summary>
    [Benchmark]
    public AttackState? BoostAlieBound() => Craft("boost-alie-bound");

    /// <summary>Neurotoxin (top 1%): the mask from the last global step, f rows projected.</summary>
    [Benchmark]
    public AttackState? Neurotoxin() => Craft("neurotoxin", state: _neurotoxinState);

    /// <summary>Fang's Krum attack (full knowledge): the lambda search, one vector.</summary>
    [Benchmark]
    public AttackState? FangKrum() => Craft("fang-krum");

    /// <summary>Fang's Krum attack (partial knowledge): the lambda search over the f own updates, one vector.</summary>
    [Benchmark]
    public AttackState? FangKrumPartial() => Craft("fang-krum-partial");

    /// <summary>Fang's trimmed-mean attack (full knowledge): f rows drawn.</summary>
    [Benchmark]
    public AttackState? FangTrim() => Craft("fang-trim");

    /// <summary>Fang's trimmed-mean attack (partial knowledge): f rows drawn from own mean and std.</summary>
    [Benchmark]
    public AttackState? FangTrimPartial() => Craft("fang-trim-partial");

    /// <summary>Fang's directed deviation line-searched against the mean: 20 evaluations (closed form), one vector.</summary>
    [Benchmark]
    public AttackState? OptFangMean() => Craft("opt-fang", _mean);
}
