using MathNet.Numerics.Distributions;

namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Dirichlet label skew (Hsu, Qi, Brown 2019): for each class, proportions
/// p ~ Dir(alpha * 1_n) over the clients and the class's samples are cut accordingly. Small
/// alpha gives each client few classes; large alpha approaches IID. Draws are repeated until
/// every client holds at least <see cref="MinSamples"/> samples.
/// </summary>
/// <param name="alpha">Concentration; > 0.</param>
/// <param name="minSamples">Smallest acceptable client data set.</param>
public sealed class DirichletPartitioner(double alpha, int minSamples) : Partitioner(RegistryName)
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "dirichlet";

    private const int MaxAttempts = 1000;

    /// <summary>Concentration parameter.</summary>
    public double Alpha { get; } = alpha;

    /// <summary>Smallest acceptable client data set.</summary>
    public int MinSamples { get; } = minSamples;

    /// <inheritdoc />
    public override Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        RequireMinSamples(labels.Length, clients, MinSamples);

        var byClass = SamplesByClass(labels, classes);
        var random = new DeterministicRandom(seed);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var parts = new List<int>[clients];
            for (int k = 0; k < clients; k++)
            {
                parts[k] = [];
            }

            var proportions = new double[clients];
            foreach (var members in byClass)
            {
                var shuffled = members.ToArray();
                random.FisherYates(shuffled.AsSpan());
                double total = 0;
                for (int k = 0; k < clients; k++)
                {
                    proportions[k] = Gamma.Sample(random, Alpha, 1.0);
                    total += proportions[k];
                }

                double cumulative = 0;
                int start = 0;
                for (int k = 0; k < clients; k++)
                {
                    cumulative += proportions[k];
                    int end = k == clients - 1 ? shuffled.Length : (int)Math.Round(cumulative / total * shuffled.Length);
                    end = Math.Clamp(end, start, shuffled.Length);
                    parts[k].AddRange(shuffled[start..end]);
                    start = end;
                }
            }

            if (parts.All(part => part.Count >= MinSamples))
            {
                return new Partition([.. parts.Select(part => part.Order().ToImmutableArray())]);
            }
        }

        throw new InvalidOperationException(
            $"dirichlet(alpha={Alpha}) left a client with fewer than {MinSamples} samples in {MaxAttempts} draws; raise alpha or lower min_samples");
    }
}
