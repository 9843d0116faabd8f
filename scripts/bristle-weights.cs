#:project ../Library/ByzantineSim.csproj
// Whom does Bristle's integrator trust, and is that what collapses peers? Reads the Bristle runs
// of a finished sweep (each writes bristle.csv: the weight the integrator gave every selected
// sender, for every honest peer and round; peers.csv: each peer's accuracy) and prints, per group
// of runs with the same Byzantine count, attack and aggregator options:
// - per honest peer, its final accuracy and the weight its honest senders together put on its
//   foreign classes per round (the peer's own layer weighs 1): how much it takes from the others;
//   the peers taking in less than their own weight against the rest, and the rank correlation;
// - with Byzantine peers, how often a Byzantine layer got a foreign weight above 0.1 ("accepted"),
//   the F1 such layers reached on the peer's own samples, and for every peer that accepted one or
//   ended below 60%, its first acceptance and its first evaluation below 60%.
//   dotnet run -c Release scripts/bristle-weights.cs <sweep results folder>
// The figures quoted in docs/VALIDATION.md (study bristle-seeds) come from
//   ./byzsim run experiments/papers/bristle-seeds.yaml && dotnet run -c Release scripts/bristle-weights.cs results/papers-bristle-seeds
var invariant = CultureInfo.InvariantCulture;
string folder = args.Length > 0 ? args[0] : "results/papers-bristle-seeds";
const double Accepted = 0.1, Collapsed = 0.6;

var runs = Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "bristle.csv"))).Order(StringComparer.Ordinal).Select(Load).ToList();
foreach (var group in runs.GroupBy(r => r.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"== {group.Key}: {group.Count()} runs");
    var peers = group.SelectMany(r => r.Peers).ToList();
    var isolated = peers.Where(p => p.HonestForeign < 1).ToList();
    var connected = peers.Where(p => p.HonestForeign >= 1).ToList();
    Console.WriteLine($"peers {peers.Count}; honest foreign weight per round < 1: {Describe(isolated)}; >= 1: {Describe(connected)}");
    Console.WriteLine($"Spearman rank correlation of that weight with the final accuracy: {MathNet.Numerics.Statistics.Correlation.Spearman(peers.Select(p => p.HonestForeign), peers.Select(p => p.Final)).ToString("F2", invariant)}");
    foreach (var p in peers.OrderBy(p => p.HonestForeign).Take(20))
    {
        Console.WriteLine($"  seed {p.Seed} peer {p.Peer}: final {Percent(p.Final)}, honest foreign weight per round {p.HonestForeign.ToString("F2", invariant)}");
    }

    var byzantine = group.SelectMany(r => r.Rows).Where(r => r.Byzantine).ToList();
    if (byzantine.Count == 0)
    {
        continue;
    }

    var accepted = byzantine.Where(r => r.Foreign > Accepted).ToList();
    Console.WriteLine($"Byzantine layers selected {byzantine.Count}, accepted (foreign weight > {Accepted.ToString(invariant)}) {accepted.Count}; "
        + $"their F1 on the peer's own samples: accepted {Range(accepted.Select(r => r.SenderF1))}, all {Range(byzantine.Select(r => r.SenderF1))}");
    foreach (var p in peers.Where(p => p.FirstAccepted is not null || p.Final < Collapsed))
    {
        Console.WriteLine($"  seed {p.Seed} peer {p.Peer}: final {Percent(p.Final)}, first accepted round {p.FirstAccepted?.ToString(invariant) ?? "-"}, "
            + $"first evaluation below {Percent(Collapsed)} {p.FirstBelow?.ToString(invariant) ?? "-"}, honest foreign weight per round {p.HonestForeign.ToString("F2", invariant)}");
    }
}

string Percent(double share) => (100 * share).ToString("F1", invariant) + "%";

string Describe(List<PeerFigures> peers) => peers.Count == 0
    ? "none"
    : $"{peers.Count} peers, mean final {Percent(peers.Average(p => p.Final))}, {peers.Count(p => p.Final < Collapsed)} below {Percent(Collapsed)}";

string Range(IEnumerable<double> values)
{
    var sorted = values.Where(double.IsFinite).Order().ToList();
    return sorted.Count == 0 ? "-" : $"{sorted[0].ToString("F2", invariant)}-{sorted[^1].ToString("F2", invariant)} (median {sorted[sorted.Count / 2].ToString("F2", invariant)})";
}

RunFigures Load(string run)
{
    string[] Lines(string file) => File.ReadAllLines(Path.Combine(run, file));
    var spec = Lines("spec.yaml");
    string seed = spec.First(l => l.StartsWith("seed:", StringComparison.Ordinal))[5..].Trim();
    int f = int.Parse(spec.First(l => l.TrimStart().StartsWith("f:", StringComparison.Ordinal)).Split(':')[1], invariant);
    string Block(string key) => string.Join(", ", spec.SkipWhile(l => l != key + ":").Skip(1).TakeWhile(l => l.StartsWith(' ')).Select(l => l.Trim()));
    var rows = Lines("bristle.csv").Skip(1).Select(l => l.Split(',')).Select(c => new WeightRow(
        int.Parse(c[0], invariant), int.Parse(c[1], invariant), c[3] == "1", double.Parse(c[5], invariant), double.Parse(c[8], invariant))).ToList();
    int rounds = rows.Select(r => r.Round).Distinct().Count();
    var accuracy = Lines("peers.csv").Skip(1).Select(l => l.Split(','))
        .Select(c => (Round: int.Parse(c[0], invariant), Peer: int.Parse(c[1], invariant), Accuracy: double.Parse(c[2], invariant))).ToList();
    var figures = accuracy.GroupBy(a => a.Peer).Select(g =>
    {
        var mine = rows.Where(r => r.Peer == g.Key).ToList();
        return new PeerFigures(
            seed,
            g.Key,
            g.MaxBy(a => a.Round).Accuracy,
            mine.Where(r => !r.Byzantine).Sum(r => r.Foreign) / rounds,
            mine.Where(r => r.Byzantine && r.Foreign > Accepted).Select(r => (int?)r.Round).FirstOrDefault(),
            g.OrderBy(a => a.Round).Where(a => a.Accuracy < Collapsed).Select(a => (int?)a.Round).FirstOrDefault());
    }).ToList();
    return new RunFigures($"f = {f}, attack {Block("attack")}, aggregator {Block("aggregator")}", rows, figures);
}

internal sealed record WeightRow(int Round, int Peer, bool Byzantine, double SenderF1, double Foreign);

internal sealed record PeerFigures(string Seed, int Peer, double Final, double HonestForeign, int? FirstAccepted, int? FirstBelow);

internal sealed record RunFigures(string Group, List<WeightRow> Rows, List<PeerFigures> Peers);
