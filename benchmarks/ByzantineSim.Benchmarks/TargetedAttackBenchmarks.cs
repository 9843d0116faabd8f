using System.Collections.Frozen;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// Crafting cost of the backdoor and Fang attacks at <see cref="AttackBenchmarks"/>' sizes: n = 25
/// and 100 honest vectors of d = 1e6 standard normal values, f = n / 5 Byzantine clients whose own
/// (poisoned) updates are the first f honest rows. The data-poisoning part of a backdoor or a
/// label flip (stamping a trigger on a share of a batch, relabelling) happens in the Byzantine
/// clients' training, not here: <see cref="PoisoningBenchmarks"/> measures it per batch. IPM and
/// ALIE, attacks of <see cref="AttackBenchmarks"/>, are measured again beside each attack as references
/// under the same load: BenchmarkDotNet groups cases by parameters, so every attack's group holds
/// its own IPM baseline (one streaming read of the honest matrix) and the Ratio column compares
/// cases measured minutes, not a whole job, apart.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class TargetedAttackBenchmarks : AttackBenchmarkBase
{
    private float[] _output = [];
    private float[] _previous = [];
    private float[] _zero = [];
    private FrozenDictionary<string, IAttack> _attacks = null!;
    private AttackState? _state;
    private AggregationPipeline? _pipeline;

    private int F => N / 5;

    /// <summary>
    /// The attack measured, as its registry name and at most one option (<c>name=value</c>):
    /// data poisoning that only copies the own updates (badnets, dba, the label flips), model
    /// replacement with and without the ALIE bound, Neurotoxin (top 1% mask from the last global
    /// step), Fang's Krum and trimmed-mean attacks with full and partial knowledge, and Fang's
    /// directed deviation line-searched against the mean (20 closed-form evaluations).
    /// </summary>
    [ParamsSource(nameof(Attacks))]
    public string Attack { get; set; } = "badnets";

    /// <summary>The values of <see cref="Attack"/>.</summary>
    public static IEnumerable<string> Attacks =>
    [
        "badnets", "dba", "targeted-label-flip", "multi-label-flip", "model-replacement", "model-replacement bound=alie",
        "neurotoxin", "fang-krum", "fang-krum knowledge=partial", "fang-trim", "fang-trim knowledge=partial", "opt-fang",
    ];

    /// <summary>Builds the inputs, the attack and the two references.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = CreateHonest();

        _previous = [.. Enumerable.Range(0, D).Select(_ => (float)random.NextGaussian())];
        _output = new float[F * D];
        _zero = new float[D];
        string[] attack = Attack.Split(' ');
        _attacks = CreateAttacks(
            new AttackPopulation(N + F, F, 10, [1, 1000, 1000]),
            ("ipm", "ipm", ""),
            ("alie", "alie", "tau=1.5"),
            (Attack, attack[0], attack.Length > 1 ? attack[1] : ""));
        _pipeline = attack[0] == "opt-fang" ? new AggregationPipeline(BuiltInAggregators.Create("mean", F)) : null;

        // Neurotoxin's mask comes from the last global step, kept in its state from a first round.
        _state = attack[0] == "neurotoxin" ? Craft(Attack, parameters: _previous) : null;
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

    /// <summary>The attack named by <see cref="Attack"/>: one round's crafting for the f Byzantine clients.</summary>
    [Benchmark]
    public AttackState? Targeted() => Craft(Attack, _pipeline, _state);
}
