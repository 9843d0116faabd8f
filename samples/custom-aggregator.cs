#:project ../Library/ByzantineSim.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// (File-based apps default to native-AOT settings; the report writes JSON by reflection.)
// A rule of your own: write it, check it with the law kit the built-in rules pass, register it,
// and compare it with krum and median under ALIE (A Little Is Enough) in a small sweep.
//   dotnet run samples/custom-aggregator.cs [results-root]
using ByzantineSim;
using ByzantineSim.Aggregators;
using ByzantineSim.Core.Numerics;
using ByzantineSim.Testing;

string root = args.Length > 0 ? args[0] : "results";

// 1. Check the rule with the law kit: permutation invariance, agreement with the honest value,
//    finite output whatever f rows hold (NaN, Inf, 1e38), on 300 random populations.
var laws = AggregatorLaws.Check(RuleUnderTest.For(MiddleMean.RegistryName, f => new MiddleMean(f)));
Console.WriteLine(laws);
laws.ThrowIfFailed();

// 2. Register it: specs can now name it like a built-in rule (with the common option f).
Plugins.Register(new AggregatorDescriptor(
    MiddleMean.RegistryName,
    "per coordinate, the mean of the n - 2f middle values",
    "n > 2f",
    "written in samples/custom-aggregator.cs",
    [],
    (_, f) => new MiddleMean(f)));

// 3. Compare it with krum and median under ALIE, with and without label skew, two seeds.
var sweep = Sweep.Create("custom-aggregator")
    .Set("data", Plugin.Of("synthetic", ("classes", 10), ("features", 32), ("train_size", 4000), ("test_size", 1000)))
    .Set("model", Plugin.Of("mlp", ("hidden", new[] { 64 })))
    .Set("clients", new Dictionary<string, object?> { ["n"] = 25, ["f"] = 8 })
    .Set("training", new Dictionary<string, object?> { ["rounds"] = 20, ["batch_size"] = 32, ["learning_rate"] = 0.1, ["worker_momentum"] = 0.9, ["eval_every"] = 5 })
    .Set("threat", new Dictionary<string, object?> { ["omniscient"] = true, ["knows_aggregator"] = true })
    .Grid("aggregator", [MiddleMean.RegistryName, "krum", "median"])
    .Grid("attack", ["none", "alie"])
    .Grid("partition", ["iid", Plugin.Of("dirichlet", ("alpha", 0.3))])
    .Seeds([1, 2])
    .Build();
Console.WriteLine(sweep);
var results = await sweep.RunAsync(new SweepRunOptions(root));
Console.WriteLine(results);
Console.WriteLine("accuracy table:");
Console.Write(results.AccuracyTable().ToText());
foreach (string file in results.SaveCharts("accuracy", "worst"))
{
    Console.WriteLine($"figure {Path.GetFileNameWithoutExtension(file)}: {file}");
}

Console.WriteLine($"report: {results.Report()}");

/// <summary>
/// Per coordinate, the mean of the n - 2f middle values (a trimmed mean written from scratch).
/// Sorting puts NaN below every number, so up to f NaN, -Inf or +Inf values per coordinate
/// fall among the f lowest or f highest and are dropped.
/// </summary>
sealed class MiddleMean(int f) : IAggregator
{
    public const string RegistryName = "middle-mean";

    public string Name => RegistryName;

    public int F => f;

    public string Requirement => "n > 2f";

    public bool Accepts(int n) => n > 2 * f;

    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        AggregationException.ThrowUnlessAccepted(this, inputs.Rows);

        inputs.ForEachColumn(destination, column =>
        {
            column.Sort();
            var middle = column[f..^f];
            double sum = 0;
            foreach (float value in middle)
            {
                sum += value;
            }

            return (float)(sum / middle.Length);
        });

        return null;
    }
}
