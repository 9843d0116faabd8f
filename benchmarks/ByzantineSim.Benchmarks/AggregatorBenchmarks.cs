namespace ByzantineSim.Benchmarks;

/// <summary>
/// One call per rule on an n x d float32 matrix of standard normal values, at the sizes of the
/// aggregator issue (n = 25, f = 5 and n = 100, f = 20; d = 1e5 and 1e6). Pre-aggregators are
/// measured alone, writing into a preallocated output. Few iterations: the large cases read
/// 400 MB per call and the machine is shared.
/// </summary>
[Config(typeof(ShortRunConfig))]
public class AggregatorBenchmarks : RuleBenchmarkBase
{
    private IAggregator? _aggregator;
    private IPreAggregator? _preAggregator;

    /// <summary>The run's pool in a server: a stateful rule's state comes from it and goes back when retired.</summary>
    private readonly PayloadPool _statePool = new(1L << 26);

    /// <summary>The rule (aggregator or pre-aggregator name).</summary>
    [ParamsSource(nameof(Rules))]
    public string Rule { get; set; } = "mean";

    /// <summary>
    /// Every rule, or only those named (comma-separated) in <c>BYZSIM_BENCH_RULES</c>, since
    /// BenchmarkDotNet's <c>--filter</c> selects methods, not parameter values.
    /// </summary>
    public static IEnumerable<string> Rules =>
        Environment.GetEnvironmentVariable("BYZSIM_BENCH_RULES") is { Length: > 0 } selected
            ? selected.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : ["mean", "median", "trimmed-mean", "geometric-median", "krum", "multi-krum", "cge", "centered-clipping",
                "meamed", "mda", "bulyan", "monna", "smea", "caf", "nnm", "bucketing", "clipping", "arc"];

    /// <summary>Builds the inputs and the rule.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateInputs();
        int f = N / 5;
        if (BuiltInAggregators.PreAggregators.TryGet(Rule, out _))
        {
            _preAggregator = BuiltInAggregators.CreatePreAggregator(Rule, f);
            Output = new float[_preAggregator.OutputRows(N) * D];
        }
        else
        {
            // Bulyan needs n >= 4f + 3: at n = 25 it tolerates f = 5, at n = 100 f = 20 (both fine).
            _aggregator = BuiltInAggregators.Create(Rule, f);
        }
    }

    /// <summary>One aggregation (or pre-aggregation).</summary>
    [Benchmark]
    public int Aggregate()
    {
        var inputs = Matrix;
        if (_preAggregator is not null)
        {
            _preAggregator.Apply(inputs, Output, new AggregationContext(0, 1, null));
        }
        else if (_aggregator!.Accepts(N))
        {
            // Retired at once, as the server retires a state once the next one replaces it.
            _aggregator.Aggregate(inputs, Output, AggregationContext.Stateless with { StatePool = _statePool })?.Retire();
        }

        return Output.Length;
    }
}
