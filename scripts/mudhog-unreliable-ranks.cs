#:project ../Library/ByzantineSim.csproj
// Is MUD-HoG's low precision on unreliable clients the split or the signal? Runs the base cell of
// experiments/papers/mudhog-local-work.yaml (40 clients: 11 Byzantine in three groups, 3 with
// blurred images; FedAvg with 94 local steps, the reference's 4 local epochs; 40 rounds; the MLP,
// or the reference's CNN)
// for the seeds given, with MUD-HoG wrapped in a probe that returns MUD-HoG's own aggregate and
// state and, in every detecting round, repeats step 5 of the reference (server.py mud_hog) on
// the same short HoGs: the cosine of each benign client's short HoG to their median, and the
// largest-gap split below which clients are flagged unreliable. It prints, over the detecting
// rounds, how many clients the split flags, where the blurred clients rank among the cosines
// (1 = lowest), and the precision and recall of the split's flags and of flagging the k lowest
// cosines instead, for k = the number of blurred clients.
//   dotnet run -c Release scripts/mudhog-unreliable-ranks.cs [mlp|cnn] [seed ...]
// The figures quoted in docs/VALIDATION.md (studies mudhog-local-work and mudhog-cnn) come from
//   dotnet run -c Release scripts/mudhog-unreliable-ranks.cs mlp 1 2 3
//   dotnet run -c Release scripts/mudhog-unreliable-ranks.cs cnn 1      (about 11 min on 2 cores)
using ByzantineSim.Aggregators.MudHog;

var invariant = CultureInfo.InvariantCulture;
// The first argument may name the model: mlp (the study's, the default) or cnn (cnn_mnist, the
// reference's CNN, as in experiments/papers/mudhog-cnn.yaml's 94-step case).
string model = args.Length > 0 && args[0] is "mlp" or "cnn" ? args[0] : "mlp";
int[] seeds = [.. args.Where(a => a is not ("mlp" or "cnn")).Select(a => int.Parse(a, invariant))];
seeds = seeds.Length > 0 ? seeds : [1, 2, 3];
string modelSpec = model == "cnn" ? "cnn_mnist" : "{ name: mlp, hidden: [64] }";
Plugins.Register(new AggregatorDescriptor(
    UnreliableProbe.RegistryName,
    "MUD-HoG, unchanged, plus step 5's cosines and split, round by round",
    "n >= 1",
    "scripts/mudhog-unreliable-ranks.cs",
    [MudHogOptions.EpsParameter, MudHogOptions.MinSamplesParameter, MudHogOptions.WarmupParameter, MudHogOptions.DelayParameter, MudHogOptions.WindowParameter],
    (binder, f) => new UnreliableProbe(new MudHogAggregator(f, MudHogOptions.Bind(binder)))));

string root = Path.Combine(Path.GetTempPath(), $"mudhog-ranks-{Environment.ProcessId}");
try
{
    foreach (int seed in seeds)
    {
        UnreliableProbe.Rounds.Clear();
        var sweep = Sweep.Parse($$"""
            sweep: mudhog-ranks
            base:
              seed: {{seed}}
              data: fashion-mnist
              partition: { name: dirichlet, alpha: 0.9 }
              model: {{modelSpec}}
              clients: { n: 40, f: 11 }
              training: { rounds: 40, batch_size: 32, learning_rate: 1, algorithm: fedavg, local_steps: 94, local_learning_rate: 0.05, eval_every: 40 }
              server_data: { size: 100, source: train }
              adversary:
                groups:
                  - { name: sign-flip, count: 3, attack: sign-flip }
                  - { name: additive-noise, count: 3, attack: { name: gaussian, sigma: 0.05 } }
                  - { name: multi-label-flip, count: 5, attack: { name: targeted-label-flip, pairs: [1->7, 2->7, 3->7] } }
              unreliable: { count: 3, degradation: blur, level: 1.4 }
              aggregator: { name: {{UnreliableProbe.RegistryName}}, eps: 1.3, min_samples: 5 }
            """);
        string folder = Path.Combine(root, seed.ToString(invariant));
        var results = await sweep.RunAsync(new SweepRunOptions(folder, Parallel: 1));
        string clients = Directory.GetFiles(folder, "clients.csv", SearchOption.AllDirectories).Single();
        var blurred = File.ReadAllLines(clients).Skip(1).Select(l => l.Split(',')).Where(c => c[2] == "unreliable").Select(c => int.Parse(c[0], invariant)).ToHashSet();
        string summary = File.ReadAllText(Directory.GetFiles(folder, "summary.json", SearchOption.AllDirectories).Single());
        double accuracy = System.Text.Json.JsonDocument.Parse(summary).RootElement.GetProperty("final_test_accuracy").GetDouble();
        Console.WriteLine(string.Create(invariant, $"{model}, seed {seed}: {results}; final test accuracy {accuracy:R} (MUD-HoG's own); blurred clients {string.Join(' ', blurred.Order())}"));
        Report(UnreliableProbe.Rounds.OrderBy(r => r.Round).ToList(), blurred);
    }
}
finally
{
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

void Report(List<StepFive> rounds, HashSet<int> blurred)
{
    int k = blurred.Count;
    double Share(int part, int whole) => whole == 0 ? double.NaN : (double)part / whole;
    var present = rounds.Select(r => (r, ranked: r.Cosines.OrderBy(p => p.Value).ThenBy(p => p.Key).Select(p => p.Key).ToList())).ToList();
    int flaggedAll = rounds.Sum(r => r.Flagged.Count), flaggedBlurred = rounds.Sum(r => r.Flagged.Count(blurred.Contains));
    int blurredSeen = rounds.Sum(r => r.Cosines.Keys.Count(blurred.Contains));
    int lowestBlurred = present.Sum(p => p.ranked.Take(k).Count(blurred.Contains));
    var ranks = present.SelectMany(p => p.ranked.Select((id, i) => (id, rank: i + 1)).Where(x => blurred.Contains(x.id)).Select(x => x.rank)).Order().ToList();
    Console.WriteLine(string.Create(invariant,
        $"  {rounds.Count} detecting rounds, {rounds.Average(r => r.Cosines.Count):F1} benign clients per round; the split flags {rounds.Average(r => r.Flagged.Count):F1} per round: " +
        $"precision {Share(flaggedBlurred, flaggedAll):P1}, recall {Share(flaggedBlurred, blurredSeen):P1}"));
    Console.WriteLine(string.Create(invariant,
        $"  the blurred clients' ranks among the cosines (1 = lowest): median {ranks[ranks.Count / 2]}, {Share(ranks.Count(r => r <= k), ranks.Count):P1} within the {k} lowest; " +
        $"flagging the {k} lowest instead: precision {Share(lowestBlurred, rounds.Count * k):P1}, recall {Share(lowestBlurred, blurredSeen):P1}"));
}

/// <summary>Step 5 of one detecting round: each benign client's cosine to their median short HoG, and the split's flags.</summary>
sealed record StepFive(int Round, Dictionary<int, double> Cosines, HashSet<int> Flagged);

/// <summary>MUD-HoG, unchanged, plus step 5 repeated on its own state after every detecting round.</summary>
sealed class UnreliableProbe(MudHogAggregator inner) : AggregatorDecorator<MudHogAggregator>(inner, UnreliableProbe.RegistryName)
{
    public const string RegistryName = "mud-hog-unreliable-probe";

    public static readonly ConcurrentBag<StepFive> Rounds = [];

    public override AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        var before = context.State as MudHogState ?? MudHogState.Initial;
        var after = (MudHogState)Inner.Aggregate(inputs, destination, context)!;
        if (before.Rounds < Inner.Options.Warmup)
        {
            return after;
        }

        // The clients MUD-HoG detected on: a finite update this round, so a history in the new state.
        var clients = context.ClientsOf(inputs.Rows);
        var ids = new List<int>();
        for (int i = 0; i < inputs.Rows; i++)
        {
            if (VectorMath.IsFinite(inputs[i]))
            {
                ids.Add(clients[i]);
            }
        }

        var hogs = ids.ToDictionary(id => id, id => after.Clients[id].ShortHog());

        // Step 1 (sign flipping), to find the clients step 5 sees: the rest, less the confirmed malicious.
        var candidates = ids.Where(id => !before.Malicious.Contains(id)).ToList();
        var median = Clustering.Median([.. (candidates.Count > 0 ? candidates : ids).Select(id => hogs[id])]);
        var benign = ids.Where(id => !(Clustering.Cosine(median, hogs[id]) < 0) && !before.FlipSign.Contains(id) && !after.Malicious.Contains(id)).ToList();
        if (benign.Count == 0)
        {
            return after;
        }

        var centre = Clustering.Median([.. benign.Select(id => hogs[id])]);
        var cosines = benign.ToDictionary(id => id, id => Clustering.Cosine(centre, hogs[id]));
        double split = Clustering.SeparatePoint(cosines.Values.Where(double.IsFinite));
        Rounds.Add(new StepFive(before.Rounds, cosines, [.. cosines.Where(p => p.Value < split).Select(p => p.Key)]));
        return after;
    }
}
