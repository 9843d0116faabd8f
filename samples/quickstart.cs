#:project ../Library/ByzantineSim.csproj
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// (File-based apps default to native-AOT settings; the report writes JSON by reflection.)
// Quickstart: run the default sweep (experiments.yaml) small, then look at its results from code.
//   dotnet run samples/quickstart.cs [results-root]
// Small: 10 rounds instead of 100 and one seed instead of two, on a smaller training set, so it
// takes a minute or so on 2 cores; the rules, attacks and partitions are the default sweep's.
using System.Runtime.CompilerServices;
using ByzantineSim;

string root = args.Length > 0 ? args[0] : "results";
var sweep = Sweep.Load(Path.Combine(RepositoryRoot(), "experiments.yaml"))
    .With("training.rounds=10", "training.eval_every=2", "seed=1", "data.train_size=2000", "data.test_size=1000");
Console.WriteLine($"{sweep}");

// Progress: one line per finished run.
var progress = new Progress<SweepEvent>(e =>
{
    if (e is SweepEvent.RunCompleted done)
    {
        Console.WriteLine($"  done {done.RunId}: final accuracy {done.FinalAccuracy:P1}");
    }
});
var results = await sweep.RunAsync(new SweepRunOptions(root), progress);
Console.WriteLine(results);

// The tidy table: one row per run and evaluation, with every axis, the seed and every metric.
var frame = results.ToDataFrame();
Console.WriteLine($"tidy frame: {frame.Rows.Count} rows; columns: {string.Join(", ", frame.Columns.Select(c => c.Name))}");

// The report's accuracy table: mean final accuracy (%) per rule and attack, and the worst case.
Console.WriteLine("accuracy table:");
Console.Write(results.AccuracyTable().ToText());

// The report's figures as Plotly.NET charts (what a notebook shows inline); here saved as HTML.
foreach (string file in results.SaveCharts("accuracy", "worst"))
{
    Console.WriteLine($"figure {Path.GetFileNameWithoutExtension(file)}: {file}");
}

Console.WriteLine($"report: {results.Report()}");

// The folder holding experiments.yaml, found from this file's own path.
static string RepositoryRoot([CallerFilePath] string here = "") => Path.GetDirectoryName(Path.GetDirectoryName(here))!;
