namespace ByzantineSim.Benchmarks;

/// <summary>
/// The rules of issue 18 that need more than the matrix, measured like
/// <see cref="FilterBenchmarks"/> (n x d standard normal float32, f = n / 5, flags into a verdict
/// sink, in process): FLTrust with a server update (another standard normal vector) in the
/// context; FoolsGold and MUD-HoG with client ids 0 .. n - 1 and the state a run would have
/// after earlier rounds, built in the setup from other standard normal matrices (one round for
/// FoolsGold's summed histories; MUD-HoG's three warm-up rounds, so that the measured call is a
/// detecting round). Every measured call starts from that same state, so each does one round's work,
/// the histories' extension included.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class HistoryRuleBenchmarks : RuleBenchmarkBase
{
    private float[] _serverUpdate = [];
    private int[] _clients = [];
    private AggregatorState? _state;
    private IAggregator? _aggregator;
    private readonly RowVerdicts _verdicts = new();

    /// <summary>The rule's registry name.</summary>
    [ParamsSource(nameof(Rules))]
    public string Rule { get; set; } = "fltrust";

    /// <summary>The three rules, or only those named (comma-separated) in <c>BYZSIM_BENCH_RULES</c>, as in <see cref="AggregatorBenchmarks"/>.</summary>
    public static IEnumerable<string> Rules =>
        Environment.GetEnvironmentVariable("BYZSIM_BENCH_RULES") is { Length: > 0 } selected
            ? selected.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : ["fltrust", "foolsgold", "mud-hog"];

    /// <summary>Builds the inputs, the server update, the client ids and the earlier rounds' state.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateInputs();
        _serverUpdate = Data.StandardNormal(1, D, 2);
        _clients = [.. Enumerable.Range(0, N)];
        _aggregator = BuiltInAggregators.Create(Rule, N / 5);
        int earlierRounds = Rule switch { "foolsgold" => 1, "mud-hog" => 3, _ => 0 };
        _state = null;
        for (int round = 0; round < earlierRounds; round++)
        {
            var earlier = Data.StandardNormal(N, D, (ulong)(10 + round));
            _state = _aggregator.Aggregate(new RowMatrix(earlier, N, D), Output, Context(round, _state));
        }
    }

    /// <summary>Frees the inputs and the state before the next case.</summary>
    public override void Cleanup()
    {
        _serverUpdate = [];
        _state = null;
        base.Cleanup();
    }

    /// <summary>One aggregation from the prepared state.</summary>
    [Benchmark]
    public int Aggregate()
    {
        _verdicts.Clear();
        _aggregator!.Aggregate(Matrix, Output, Context(Rule == "mud-hog" ? 3 : 1, _state));
        return _verdicts.Flags.Count;
    }

    private AggregationContext Context(int round, AggregatorState? state) =>
        new(round, 1, state) { Clients = _clients, ServerUpdate = _serverUpdate, Verdicts = _verdicts };
}
