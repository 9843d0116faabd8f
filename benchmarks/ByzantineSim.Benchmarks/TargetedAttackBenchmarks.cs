using BenchmarkDotNet.Attributes;

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
[MemoryDiagnoser]
[Config(typeof(InProcessShortConfig))]
public class TargetedAttackBenchmarks : AttackBenchmarkBase
{
    private float[] _output = [];
    private float[] _previous = [];
    private float[] _zero = [];
    private IAttack _ipm = null!;
    private IAttack _alie = null!;
    private IAttack _badNets = null!;
    private IAttack _dba = null!;
    private IAttack _targetedFlip = null!;
    private IAttack _multiFlip = null!;
    private IAttack _replacement = null!;
    private IAttack _fangKrumPartial = null!;
    private IAttack _boundedBoost = null!;
    private IAttack _neurotoxin = null!;
    private IAttack _fangKrum = null!;
    private IAttack _fangTrim = null!;
    private IAttack _fangTrimPartial = null!;
    private IAttack _optFang = null!;
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
        _ipm = BuiltInAttacks.Create("ipm", population);
        _alie = BuiltInAttacks.Create("alie", population, new Dictionary<string, string> { ["tau"] = "1.5" });
        _badNets = BuiltInAttacks.Create("badnets", population);
        _dba = BuiltInAttacks.Create("dba", population);
        _targetedFlip = BuiltInAttacks.Create("targeted-label-flip", population);
        _multiFlip = BuiltInAttacks.Create("multi-label-flip", population);
        _replacement = BuiltInAttacks.Create("model-replacement", population);
        _fangKrumPartial = BuiltInAttacks.Create("fang-krum", population, new Dictionary<string, string> { ["knowledge"] = "partial" });
        _boundedBoost = BuiltInAttacks.Create("model-replacement", population, new Dictionary<string, string> { ["bound"] = "alie" });
        _neurotoxin = BuiltInAttacks.Create("neurotoxin", population);
        _fangKrum = BuiltInAttacks.Create("fang-krum", population);
        _fangTrim = BuiltInAttacks.Create("fang-trim", population);
        _fangTrimPartial = BuiltInAttacks.Create("fang-trim", population, new Dictionary<string, string> { ["knowledge"] = "partial" });
        _optFang = BuiltInAttacks.Create("opt-fang", population);
        _mean = new AggregationPipeline(BuiltInAggregators.Create("mean", F));
        _neurotoxinState = Craft(_neurotoxin, parameters: _previous);
    }

    private AttackState? Craft(IAttack attack, AggregationPipeline? pipeline = null, AttackState? state = null, float[]? parameters = null) =>
        attack.Craft(
            Context(F, pipeline) with
            {
                Parameters = parameters ?? _zero,
                OwnGradients = new RowMatrix(Honest.AsSpan(0, F * D), F, D),
                State = state,
            },
            attack.SendsOneVector ? _output.AsSpan(0, D) : _output);

    /// <summary>IPM (eps = 0.1), one vector: the reference of <see cref="AttackBenchmarks"/>, one read of the honest matrix.</summary>
    [Benchmark(Baseline = true)]
    public AttackState? Ipm() => Craft(_ipm);

    /// <summary>ALIE (tau = 1.5), one vector: the other reference of <see cref="AttackBenchmarks"/>.</summary>
    [Benchmark]
    public AttackState? Alie() => Craft(_alie);

    /// <summary>BadNets: the own (poisoned) updates, copied.</summary>
    [Benchmark]
    public AttackState? BadNets() => Craft(_badNets);

    /// <summary>DBA: the own updates, copied (the local triggers differ only in training).</summary>
    [Benchmark]
    public AttackState? Dba() => Craft(_dba);

    /// <summary>Targeted label flipping (1 -> 7): the own updates, copied.</summary>
    [Benchmark]
    public AttackState? TargetedLabelFlip() => Craft(_targetedFlip);

    /// <summary>Multi-label flipping ([1, 2, 3] -> 7): the own updates, copied.</summary>
    [Benchmark]
    public AttackState? MultiLabelFlip() => Craft(_multiFlip);

    /// <summary>Model replacement (boost n / f, no bound): f rows copied and scaled.</summary>
    [Benchmark]
    public AttackState? ModelReplacement() => Craft(_replacement);

    /// <summary>Model replacement (boost n / f) with the ALIE bound: f rows scaled and clamped.</summary>
    [Benchmark]
    public AttackState? BoostAlieBound() => Craft(_boundedBoost);

    /// <summary>Neurotoxin (top 1%): the mask from the last global step, f rows projected.</summary>
    [Benchmark]
    public AttackState? Neurotoxin() => Craft(_neurotoxin, state: _neurotoxinState);

    /// <summary>Fang's Krum attack (full knowledge): the lambda search, one vector.</summary>
    [Benchmark]
    public AttackState? FangKrum() => Craft(_fangKrum);

    /// <summary>Fang's Krum attack (partial knowledge): the lambda search over the f own updates, one vector.</summary>
    [Benchmark]
    public AttackState? FangKrumPartial() => Craft(_fangKrumPartial);

    /// <summary>Fang's trimmed-mean attack (full knowledge): f rows drawn.</summary>
    [Benchmark]
    public AttackState? FangTrim() => Craft(_fangTrim);

    /// <summary>Fang's trimmed-mean attack (partial knowledge): f rows drawn from own mean and std.</summary>
    [Benchmark]
    public AttackState? FangTrimPartial() => Craft(_fangTrimPartial);

    /// <summary>Fang's directed deviation line-searched against the mean: 20 evaluations (closed form), one vector.</summary>
    [Benchmark]
    public AttackState? OptFangMean() => Craft(_optFang, _mean);
}
