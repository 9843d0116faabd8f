using System.Collections.Immutable;
using ByzantineSim.Attacks.Poisoning;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// The training-side cost of the data-poisoning attacks (label flips, backdoors): what a Byzantine
/// client adds to assembling one batch of Fashion-MNIST-shaped images ([1, 28, 28]) beside the
/// copy every client makes (the baseline): stamping the trigger on the poisoned share of the
/// batch (20 of 64, DBA's default share) and giving every sample its training label. Crafting
/// then only copies the update (<see cref="TargetedAttackBenchmarks"/>). The triggers are the
/// registered attacks' defaults.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class PoisoningBenchmarks
{
    private static readonly ImmutableArray<int> Shape = [1, 28, 28];
    private const int Features = 28 * 28;
    private float[] _source = [];
    private float[] _batch = [];
    private int[] _labels = [];
    private int[] _trainingLabels = [];
    private DataPoisoning _square = null!;
    private DataPoisoning _bar = null!;
    private DataPoisoning _blended = null!;
    private DataPoisoning _targetedFlip = null!;
    private DataPoisoning _multiFlip = null!;

    /// <summary>Samples per batch.</summary>
    [Params(32, 64)]
    public int BatchSize { get; set; }

    /// <summary>Builds a batch of random images and the attacks' poisonings.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new DeterministicRandom(1);
        _source = [.. Enumerable.Range(0, BatchSize * Features).Select(_ => random.NextSingle())];
        _batch = new float[_source.Length];
        _labels = [.. Enumerable.Range(0, BatchSize).Select(i => i % 10)];
        _trainingLabels = new int[BatchSize];
        var population = new AttackPopulation(20, 4, 10, Shape);
        _square = BuiltInAttacks.Create("badnets", population).Poisoning!;
        _bar = BuiltInAttacks.Create("dba", population).PoisoningOf(0)!;
        _blended = BuiltInAttacks.Create("badnets", population, new Dictionary<string, string> { ["alpha"] = "0.2" }).Poisoning!;
        _targetedFlip = BuiltInAttacks.Create("targeted-label-flip", population).Poisoning!;
        _multiFlip = BuiltInAttacks.Create("multi-label-flip", population).Poisoning!;
    }

    /// <summary>What every client does: copy the batch's features and labels.</summary>
    [Benchmark(Baseline = true)]
    public int Clean()
    {
        _source.CopyTo(_batch, 0);
        _labels.CopyTo(_trainingLabels, 0);
        return _trainingLabels[0];
    }

    /// <summary>BadNets (and model replacement, Neurotoxin): a 4x4 square on the poisoned share, target labels.</summary>
    [Benchmark]
    public int BadNetsSquare() => Poisoned(_square);

    /// <summary>DBA: one local trigger (a 1x4 bar) on the poisoned share, target labels.</summary>
    [Benchmark]
    public int DbaBar() => Poisoned(_bar);

    /// <summary>BadNets with a blended noise pattern (alpha 0.2): every pixel of each poisoned image.</summary>
    [Benchmark]
    public int BlendedPattern() => Poisoned(_blended);

    /// <summary>Targeted label flipping (1 -> 7): every label through the map.</summary>
    [Benchmark]
    public int TargetedLabelFlip() => Poisoned(_targetedFlip);

    /// <summary>Multi-label flipping ([1, 2, 3] -> 7): every label through the map.</summary>
    [Benchmark]
    public int MultiLabelFlip() => Poisoned(_multiFlip);

    /// <summary>The batch as a Byzantine client assembles it (ModelRunner's order): copy, stamp the first poisoned rows, relabel.</summary>
    private int Poisoned(DataPoisoning poisoning)
    {
        _source.CopyTo(_batch, 0);
        int poisoned = poisoning.Backdoor?.PoisonedCount(BatchSize) ?? 0;
        for (int k = 0; k < poisoned; k++)
        {
            poisoning.Backdoor!.Trigger.Stamp(_batch.AsSpan(k * Features, Features), Shape, 0f, 1f);
        }

        for (int k = 0; k < BatchSize; k++)
        {
            _trainingLabels[k] = poisoning.LabelAt(_labels[k], k, BatchSize);
        }

        return _trainingLabels[0];
    }
}
