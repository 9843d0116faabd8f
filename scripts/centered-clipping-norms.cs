#:project ../Library/ByzantineSim.csproj
// Does centered clipping clip anything in the backdoor runs? Runs one Fashion-MNIST run per
// attack with the settings of experiments/backdoor.yaml (seed 1, 200 rounds) under centered
// clipping (tau and iterations as given), wrapped in a probe that records, every round, the
// distance ||x_i - v|| of each input to the centre v the rule clips around (the previous
// aggregate), split into honest and Byzantine clients (the last f ids). Prints quantiles of those
// distances and the share of inputs that tau clips, so they can be compared with tau.
//   dotnet run -c Release scripts/centered-clipping-norms.cs [tau] [iterations] [attack ...]
// The figures quoted in docs/VALIDATION.md (backdoor study) come from
//   dotnet run -c Release scripts/centered-clipping-norms.cs 100 1 badnets dba model-replacement
using ByzantineSim.Aggregators.CenteredClipping;

var invariant = CultureInfo.InvariantCulture;
double tau = args.Length > 0 ? double.Parse(args[0], invariant) : 100;
int iterations = args.Length > 1 ? int.Parse(args[1], invariant) : 1;
string[] attacks = args.Length > 2 ? args[2..] : ["badnets", "dba", "model-replacement"];
const int n = 20, f = 4;

Plugins.Register(new AggregatorDescriptor(
    NormProbe.RegistryName,
    "centered clipping that records each input's distance to its centre",
    "n > 2f",
    "scripts/centered-clipping-norms.cs",
    [CenteredClippingOptions.TauParameter, CenteredClippingOptions.IterationsParameter],
    (binder, rule) => new NormProbe(new CenteredClippingAggregator(rule, CenteredClippingOptions.Bind(binder)), n - f)));

string root = Path.Combine(Path.GetTempPath(), $"cc-norms-{Environment.ProcessId}");
try
{
    foreach (string attack in attacks)
    {
        NormProbe.Distances.Clear();
        var sweep = Sweep.Parse($$"""
            sweep: cc-norms-{{attack}}
            base:
              seed: 1
              data: fashion-mnist
              partition: iid
              model: { name: mlp, hidden: [32] }
              clients: { n: {{n}}, f: {{f}} }
              training: { rounds: 200, batch_size: 32, learning_rate: 0.1, eval_every: 200 }
              aggregator: { name: {{NormProbe.RegistryName}}, tau: {{tau.ToString(invariant)}}, iterations: {{iterations}} }
              attack: {{attack}}
            """);
        var results = await sweep.RunAsync(new SweepRunOptions(root, Parallel: 1));
        Console.WriteLine($"{attack}, centered clipping tau {tau.ToString(invariant)}, {iterations} iteration(s): {results}");
        foreach (var (label, from, to) in new[] { ("rounds 0-9", 0, 9), ("rounds 10-199", 10, 199) })
        {
            foreach (bool byzantine in new[] { false, true })
            {
                var values = NormProbe.Distances.Where(d => d.Round >= from && d.Round <= to && d.Byzantine == byzantine)
                    .Select(d => d.Distance).Order().ToArray();
                if (values.Length == 0)
                {
                    continue;
                }

                double Quantile(double q) => values[(int)Math.Min(values.Length - 1, Math.Floor(q * values.Length))];
                double clipped = values.Count(v => v > tau) / (double)values.Length;
                Console.WriteLine(string.Create(invariant,
                    $"  {label}, {(byzantine ? "Byzantine" : "honest")} ||x_i - v||: min {values[0]:G3}, median {Quantile(0.5):G3}, 99% {Quantile(0.99):G3}, max {values[^1]:G3}; clipped by tau: {clipped:P1}"));
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

/// <summary>Centered clipping, unchanged, plus a record of each input's distance to the centre it clips around.</summary>
sealed class NormProbe(CenteredClippingAggregator inner, int honest) : AggregatorDecorator<CenteredClippingAggregator>(inner, NormProbe.RegistryName)
{
    public const string RegistryName = "cc-norm-probe";

    public static readonly ConcurrentBag<(int Round, bool Byzantine, double Distance)> Distances = [];

    public override AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        var center = context.State is CenteredClippingState { Center.Length: var length } state && length == inputs.Columns
            ? state.Center.Span
            : new float[inputs.Columns];
        var clients = context.ClientsOf(inputs.Rows);
        for (int i = 0; i < inputs.Rows; i++)
        {
            Distances.Add((context.Round, clients[i] >= honest, TensorPrimitives.Distance(inputs[i], center)));
        }

        return Inner.Aggregate(inputs, destination, context);
    }
}
