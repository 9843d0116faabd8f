#:project ../Library/ByzantineSim.csproj
// Are FoolsGold's sybils more alike than the honest clients? Runs FoolsGold against 5
// label-flipping sybils (1 -> 7) among 15 clients with the settings of the FoolsGold cells of
// experiments/papers/backdoor-sybils.yaml (IID split) and of experiments/papers/foolsgold-noniid.yaml
// (one class per honest client, every sybil a copy of the 1s), seed 1, wrapped in a probe that
// keeps each client's history (the sum of its updates, as FoolsGold does) and, after the last
// round, prints the cosine similarities of the histories: the mean over honest pairs, over
// sybil pairs and over honest-sybil pairs, and FoolsGold's own statistic, each client's largest
// similarity to another client (max_j cs_ij), averaged over honest and over sybil clients.
//   dotnet run -c Release scripts/foolsgold-similarities.cs
// The figures quoted in docs/VALIDATION.md (study foolsgold-noniid) come from that command.
using ByzantineSim.Aggregators.FoolsGold;

var invariant = CultureInfo.InvariantCulture;
const int n = 15, f = 5;
Plugins.Register(new AggregatorDescriptor(
    SimilarityProbe.RegistryName,
    "FoolsGold, unchanged, plus a record of each client's history",
    "n >= 1",
    "scripts/foolsgold-similarities.cs",
    [FoolsGoldOptions.KappaParameter],
    (binder, rule) => new SimilarityProbe(new FoolsGoldAggregator(rule, FoolsGoldOptions.Bind(binder)))));

string root = Path.Combine(Path.GetTempPath(), $"fg-similarities-{Environment.ProcessId}");
try
{
    foreach (var (label, partition) in new[]
    {
        ("IID split (backdoor-sybils.yaml)", "iid"),
        ("one class per honest client, sybils hold the 1s (foolsgold-noniid.yaml)", "{ name: gamma-similarity, gamma: 0, byzantine_classes: [1] }"),
    })
    {
        SimilarityProbe.Histories.Clear();
        var sweep = Sweep.Parse($$"""
            sweep: fg-similarities
            base:
              seed: 1
              data: fashion-mnist
              partition: {{partition}}
              model: { name: mlp, hidden: [64] }
              clients: { n: {{n}}, f: {{f}} }
              training: { rounds: 30, batch_size: 32, learning_rate: 1, algorithm: fedavg, local_steps: 5, local_learning_rate: 0.05, eval_every: 30 }
              aggregator: {{SimilarityProbe.RegistryName}}
              attack: targeted-label-flip
            """);
        var results = await sweep.RunAsync(new SweepRunOptions(Path.Combine(root, partition.Length.ToString(invariant)), Parallel: 1));
        Console.WriteLine($"{label}: {results}");
        var ids = SimilarityProbe.Histories.Keys.Order().ToArray();
        double Cos(int a, int b)
        {
            double[] x = SimilarityProbe.Histories[a], y = SimilarityProbe.Histories[b];
            double dot = 0, xx = 0, yy = 0;
            for (int k = 0; k < x.Length; k++)
            {
                dot += x[k] * y[k];
                xx += x[k] * x[k];
                yy += y[k] * y[k];
            }

            return dot / Math.Sqrt(xx * yy);
        }

        bool Sybil(int id) => id >= n - f;
        var pairs = ids.SelectMany(a => ids.Where(b => b > a).Select(b => (a, b, cos: Cos(a, b)))).ToList();
        double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();
        double maxHonest = Mean(ids.Where(a => !Sybil(a)).Select(a => ids.Where(b => b != a).Max(b => Cos(a, b))));
        double maxSybil = Mean(ids.Where(Sybil).Select(a => ids.Where(b => b != a).Max(b => Cos(a, b))));
        Console.WriteLine(string.Create(invariant,
            $"  cosine of histories after 30 rounds: honest pairs {Mean(pairs.Where(p => !Sybil(p.a) && !Sybil(p.b)).Select(p => p.cos)):F3}, sybil pairs {Mean(pairs.Where(p => Sybil(p.a) && Sybil(p.b)).Select(p => p.cos)):F3}, honest-sybil pairs {Mean(pairs.Where(p => Sybil(p.a) != Sybil(p.b)).Select(p => p.cos)):F3}; max_j cs_ij: honest {maxHonest:F3}, sybils {maxSybil:F3}"));
    }
}
finally
{
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

/// <summary>FoolsGold, unchanged, plus each client's history (the sum of its updates) by client id.</summary>
sealed class SimilarityProbe(FoolsGoldAggregator inner) : AggregatorDecorator<FoolsGoldAggregator>(inner, SimilarityProbe.RegistryName)
{
    public const string RegistryName = "foolsgold-similarity-probe";

    public static readonly ConcurrentDictionary<int, double[]> Histories = [];

    public override AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        var clients = context.ClientsOf(inputs.Rows);
        int columns = inputs.Columns;
        for (int i = 0; i < inputs.Rows; i++)
        {
            var history = Histories.GetOrAdd(clients[i], _ => new double[columns]);
            var row = inputs[i];
            for (int k = 0; k < row.Length; k++)
            {
                history[k] += row[k];
            }
        }

        return Inner.Aggregate(inputs, destination, context);
    }
}
