namespace ByzantineSim.Benchmarks;

/// <summary>
/// The detecting rules of issue 18 (and the Flag Aggregator) measured like
/// <see cref="AggregatorBenchmarks"/>: one call on an n x d matrix of standard normal values,
/// f = n / 5, flags recorded into a verdict sink as a run does. Separate so they can be run alone;
/// in process, because on a loaded machine the generated project's build outlasts BenchmarkDotNet's
/// two-minute build timeout.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class FilterBenchmarks : RuleBenchmarkBase
{
    private IAggregator? _aggregator;
    private readonly RowVerdicts _verdicts = new();

    /// <summary>The rule's registry name.</summary>
    [Params("clipped-clustering", "dnc", "flag", "flame", "signguard")]
    public string Rule { get; set; } = "dnc";

    /// <summary>Builds the inputs and the rule.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateInputs();
        _aggregator = BuiltInAggregators.Create(Rule, N / 5);
    }

    /// <summary>One aggregation, with the round's seed fixed.</summary>
    [Benchmark]
    public int Aggregate()
    {
        _verdicts.Clear();
        _aggregator!.Aggregate(Matrix, Output, new AggregationContext(0, 1, null) { Verdicts = _verdicts });
        return _verdicts.Flags.Count;
    }
}
