#:project ../Library/ByzantineSim.csproj
// Does Krum ever select Fang et al.'s crafted vector, and why not with partial knowledge? Runs
// the Krum cells of experiments/papers/fang.yaml (fang-krum with full and with partial knowledge,
// 200 rounds, the seeds given) under Krum wrapped in a probe that records, every round:
// - whether Krum selected a Byzantine row (clients with the last f ids), and the lambda the
//   attackers sent (||b|| / sqrt(number of non-zero coordinates of b), since b = -lambda * sign);
// - a counterfactual on that round's honest updates: the attack's own lambda search
//   (FangKrumAttack.Search) run on only k of them as its benign estimates (the first k honest
//   clients; IID data, so any k honest gradients are distributed as the attackers' own ones),
//   for k = 4 (what partial knowledge has with f = 4), 6, 8, 12 and 16 (full knowledge), and
//   whether Krum over the real 16 honest updates plus f copies of the crafted vector selects it,
//   and whether the search stopped at its first lambda (the paper's upper bound).
// The run itself is unchanged (the probe returns Krum's own aggregate).
//   dotnet run -c Release scripts/fang-krum-selection.cs [seed ...]
// The figures quoted in docs/VALIDATION.md (Fang et al. studies) come from
//   dotnet run -c Release scripts/fang-krum-selection.cs 1 2
using ByzantineSim.Aggregators.Krum;
using ByzantineSim.Attacks.Fang;

var invariant = CultureInfo.InvariantCulture;
int[] seeds = args.Length > 0 ? [.. args.Select(a => int.Parse(a, invariant))] : [1, 2];
const int n = 20, f = 4;

Plugins.Register(new AggregatorDescriptor(
    KrumProbe.RegistryName,
    "Krum that records whether it selects a Byzantine row, and what the Fang search would send with k benign estimates",
    "n > 2f + 2",
    "scripts/fang-krum-selection.cs",
    [KrumOptions.NeighboursParameter],
    (binder, rule) => new KrumProbe(new KrumAggregator(rule, KrumOptions.Bind(binder)), n - f)));

string root = Path.Combine(Path.GetTempPath(), $"fang-krum-{Environment.ProcessId}");
try
{
    foreach (int seed in seeds)
    {
        foreach (string knowledge in new[] { "partial", "full" })
        {
            KrumProbe.Records.Clear();
            var sweep = Sweep.Parse($$"""
                sweep: fang-krum-{{knowledge}}-{{seed}}
                base:
                  seed: {{seed}}
                  data: fashion-mnist
                  partition: iid
                  model: { name: mlp, hidden: [32] }
                  clients: { n: {{n}}, f: {{f}} }
                  training: { rounds: 200, batch_size: 32, learning_rate: 0.1, worker_momentum: 0, eval_every: 200 }
                  aggregator: {{KrumProbe.RegistryName}}
                  attack: { name: fang-krum, knowledge: {{knowledge}} }
                """);
            var results = await sweep.RunAsync(new SweepRunOptions(root, Parallel: 1));
            var rounds = KrumProbe.Records.OrderBy(r => r.Round).ToArray();
            Console.WriteLine($"seed {seed}, fang-krum, {knowledge} knowledge: {results}");
            foreach (var (label, from, to) in new[] { ("rounds 0-99", 0, 99), ("rounds 100-199", 100, 199) })
            {
                var window = rounds.Where(r => r.Round >= from && r.Round <= to).ToArray();
                Console.WriteLine(string.Create(invariant,
                    $"  {label}: Krum selected a Byzantine row in {window.Count(r => r.SelectedByzantine)} of {window.Length} rounds; lambda sent: median {Median(window.Select(r => r.SentLambda)):G3}"));
            }

            foreach (int k in KrumProbe.Estimates)
            {
                var picks = rounds.Select(r => r.WhatIf[Array.IndexOf(KrumProbe.Estimates, k)]).ToArray();
                Console.WriteLine(string.Create(invariant,
                    $"  search on {k,2} honest updates: selected by the real Krum in {picks.Count(p => p.Selected)} of {picks.Length} rounds; stopped at the upper bound in {picks.Count(p => p.AtBound)}; lambda: median {Median(picks.Select(p => p.Lambda)):G3}"));
            }
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

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
}

/// <summary>What the probe saw in one round: Krum's choice, the lambda sent, and the counterfactual searches.</summary>
sealed record RoundRecord(int Round, bool SelectedByzantine, double SentLambda, (double Lambda, bool AtBound, bool Selected)[] WhatIf);

/// <summary>Krum, unchanged, plus a record of whether it selects a Byzantine row and of what the Fang search would send.</summary>
sealed class KrumProbe(KrumAggregator inner, int honest) : AggregatorDecorator<KrumAggregator>(inner, KrumProbe.RegistryName)
{
    public const string RegistryName = "krum-selection-probe";

    /// <summary>Numbers k of honest updates the counterfactual search is given as its benign estimates.</summary>
    public static readonly int[] Estimates = [4, 6, 8, 12, 16];

    public static readonly ConcurrentBag<RoundRecord> Records = [];

    public override AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        int d = inputs.Columns, rows = inputs.Rows;
        var clients = context.ClientsOf(rows);
        int neighbours = Inner.Options.NeighbourCount(rows, F);
        bool selectedByzantine = clients[Krum.Select(inputs, neighbours)] >= honest;

        // The honest rows in client order, and the lambda of the Byzantine rows (all equal).
        var honestRows = new List<float[]>();
        double sent = double.NaN;
        for (int i = 0; i < rows; i++)
        {
            if (clients[i] < honest)
            {
                honestRows.Add(inputs[i].ToArray());
            }
            else
            {
                int nonZero = 0;
                foreach (float v in inputs[i])
                {
                    nonZero += v != 0 ? 1 : 0;
                }

                sent = nonZero == 0 ? 0 : TensorPrimitives.Norm(inputs[i]) / Math.Sqrt(nonZero);
            }
        }

        var whatIf = Estimates.Select(k => Counterfactual(honestRows, k, rows - honestRows.Count, d, neighbours)).ToArray();
        Records.Add(new RoundRecord(context.Round, selectedByzantine, sent, whatIf));
        return Inner.Aggregate(inputs, destination, context);
    }

    // The attack's search on the first k honest rows, then Krum over every honest row plus f copies of its vector.
    private static (double Lambda, bool AtBound, bool Selected) Counterfactual(List<float[]> honestRows, int k, int byzantine, int d, int neighbours)
    {
        var benign = honestRows.Take(k).SelectMany(r => r).ToArray();
        var estimates = new RowMatrix(benign, k, d);
        var sign = new float[d];
        for (int i = 0; i < k; i++)
        {
            TensorPrimitives.Add(sign, estimates[i], sign);
        }

        for (int j = 0; j < d; j++)
        {
            sign[j] = MathF.Sign(sign[j]);
        }

        double lambda = FangKrumAttack.Search(estimates, byzantine, sign, 1e-5);
        // With a threshold above every lambda the loop never runs: the search's first lambda, its upper bound.
        double bound = FangKrumAttack.Search(estimates, byzantine, sign, double.PositiveInfinity);
        var all = new float[(honestRows.Count + byzantine) * d];
        for (int i = 0; i < honestRows.Count; i++)
        {
            honestRows[i].CopyTo(all, i * d);
        }

        for (int b = 0; b < byzantine; b++)
        {
            TensorPrimitives.Multiply(sign, (float)-lambda, all.AsSpan((honestRows.Count + b) * d, d));
        }

        int selected = Krum.Select(new RowMatrix(all, honestRows.Count + byzantine, d), neighbours);
        return (lambda, lambda == bound, selected >= honestRows.Count);
    }
}
