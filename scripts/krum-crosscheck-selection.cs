#:project ../Library/ByzantineSim.csproj
// Which update does Krum select in the ByzFL cross-check (docs/validation/byzfl-crosscheck/notes.md)?
// Runs the Krum cells of experiments/byzfl-crosscheck-pixels.yaml (the spec's own settings, read
// from the file, with the attacks and seeds given) under Krum wrapped in a probe that records, at
// every step, whether the selected row came from a Byzantine client (the last f ids). The run
// itself is unchanged: the probe returns Krum's own aggregate, so a seed's final accuracy is the
// committed run's. Prints one line per run: attack, seed, Byzantine selections, final accuracy.
// ByzFL's side of the same trace: byzfl_crosscheck.py byzfl --variant data-seed-krum-trace.
//   dotnet run -c Release scripts/krum-crosscheck-selection.cs ATTACK[,ATTACK...] SEED[,SEED...]
// Run from the repository's root; the figures in the notes come from
//   dotnet run -c Release scripts/krum-crosscheck-selection.cs ipm,sign-flip,alie 1,2,3,4,5,6,7,8
using ByzantineSim.Aggregators.Krum;

var invariant = CultureInfo.InvariantCulture;
string[] attacks = args.Length > 0 ? args[0].Split(',') : ["ipm", "sign-flip", "alie"];
int[] seeds = args.Length > 1 ? [.. args[1].Split(',').Select(s => int.Parse(s, invariant))] : [1, 2, 3];
var attackEntries = new Dictionary<string, string>
{
    ["sign-flip"] = "sign-flip",
    ["ipm"] = "{ name: ipm, eps: 2.0 }",
    ["alie"] = "{ name: alie, tau: 1.5 }",
    ["mimic"] = "mimic",
};

// The spec's base section; the grid's Krum entry becomes the probe with the same neighbour count.
string spec = File.ReadAllText(Path.Combine("experiments", "byzfl-crosscheck-pixels.yaml"));
string baseSection = spec[spec.IndexOf("base:", StringComparison.Ordinal)..spec.IndexOf("grid:", StringComparison.Ordinal)];
string neighbours = System.Text.RegularExpressions.Regex.Match(spec, @"\{ name: krum, neighbours: (\d+) \}").Groups[1].Value;
var clients = System.Text.RegularExpressions.Regex.Match(baseSection, @"clients: \{ n: (\d+), f: (\d+) \}");
int honest = int.Parse(clients.Groups[1].Value, invariant) - int.Parse(clients.Groups[2].Value, invariant);

Plugins.Register(new AggregatorDescriptor(
    KrumProbe.RegistryName,
    "Krum that records whether it selects a Byzantine row",
    "n > 2f + 2",
    "scripts/krum-crosscheck-selection.cs",
    [KrumOptions.NeighboursParameter],
    (binder, rule) => new KrumProbe(new KrumAggregator(rule, KrumOptions.Bind(binder)), honest)));

string root = Path.Combine(Path.GetTempPath(), $"krum-crosscheck-{Environment.ProcessId}");
try
{
    Console.WriteLine("attack seed byzantine_selections steps final_test_accuracy");
    foreach (string attack in attacks)
    {
        foreach (int seed in seeds)
        {
            KrumProbe.Records.Clear();
            var sweep = Sweep.Parse($$"""
                sweep: krum-crosscheck-{{attack}}-{{seed}}
                {{baseSection.TrimEnd()}}
                  aggregator: { name: {{KrumProbe.RegistryName}}, neighbours: {{neighbours}} }
                  attack: {{attackEntries[attack]}}
                """.Replace("seed: 1\n", $"seed: {seed}\n", StringComparison.Ordinal));
            await sweep.RunAsync(new SweepRunOptions(root, Parallel: 1));
            var steps = KrumProbe.Records.ToArray();
            string accuracy = File.ReadLines(Directory.GetFiles(root, "metrics.csv", SearchOption.AllDirectories).Single(p => p.Contains($"krum-crosscheck-{attack}-{seed}", StringComparison.Ordinal))).Last().Split(',')[2];
            Console.WriteLine(string.Create(invariant, $"{attack} {seed} {steps.Count(s => s)} {steps.Length} {accuracy}"));
        }
    }
}
finally
{
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

/// <summary>Krum, unchanged, plus a record of whether it selected a Byzantine row.</summary>
sealed class KrumProbe(KrumAggregator inner, int honest) : AggregatorDecorator<KrumAggregator>(inner, KrumProbe.RegistryName)
{
    public const string RegistryName = "krum-crosscheck-probe";

    public static readonly ConcurrentBag<bool> Records = [];

    public override AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int rows = inputs.Rows;
        var clients = context.ClientsOf(rows);
        int selected = Krum.Select(inputs, Inner.Options.NeighbourCount(rows, F));
        Records.Add(clients[selected] >= honest);
        return Inner.Aggregate(inputs, destination, context);
    }
}
