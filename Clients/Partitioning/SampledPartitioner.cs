using System.Runtime.InteropServices;
using MathNet.Numerics.Distributions;

namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Cross-device sampling: every client draws its own <see cref="SamplesPerClient"/> distinct
/// samples, independently of the other clients, so clients may share samples and their number is
/// not bounded by the data set's size (a million clients on Fashion-MNIST). With
/// <see cref="Alpha"/> &gt; 0 a client's class mix is q ~ Dir(alpha * 1) and each of its samples
/// takes its class from q (the per-client form of Hsu, Qi, Brown 2019, "Measuring the Effects of
/// Non-Identical Data Distribution for Federated Visual Classification", arXiv 1909.06335); with
/// 0 the draw is uniform over the whole set (IID). Client k's samples are a pure function of the
/// seed and k: they do not depend on how many clients there are, and no clients x classes matrix
/// is ever formed.
/// </summary>
/// <param name="samplesPerClient">Distinct samples per client; at most the data set's size.</param>
/// <param name="alpha">Dirichlet concentration of a client's class mix, or 0 for uniform draws.</param>
public sealed class SampledPartitioner(int samplesPerClient, double alpha) : Partitioner(RegistryName)
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "sampled";

    /// <summary>Distinct samples each client holds.</summary>
    public int SamplesPerClient { get; } = samplesPerClient;

    /// <summary>Dirichlet concentration of a client's class mix; 0 draws uniformly.</summary>
    public double Alpha { get; } = alpha;

    /// <inheritdoc />
    public override Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        if (SamplesPerClient > labels.Length)
        {
            throw new ArgumentException($"samples_per_client {SamplesPerClient} is more than the data set's {labels.Length} samples");
        }

        var byClass = Alpha > 0 ? SamplesByClass(labels, classes) : null;
        var parts = new ImmutableArray<int>[clients];
        var chosen = new HashSet<int>(SamplesPerClient);
        var proportions = new double[classes];
        for (int k = 0; k < clients; k++)
        {
            var random = new DeterministicRandom(Seed.Derive(seed, "client-samples", k));
            chosen.Clear();
            if (byClass is null)
            {
                DrawUniform(random, labels.Length, chosen);
            }
            else
            {
                DrawByClass(random, byClass, proportions, chosen);
            }

            var samples = chosen.ToArray();
            Array.Sort(samples);
            parts[k] = ImmutableCollectionsMarshal.AsImmutableArray(samples);
        }

        return new Partition(ImmutableCollectionsMarshal.AsImmutableArray(parts));
    }

    /// <summary>Floyd's algorithm: <see cref="SamplesPerClient"/> distinct indices below <paramref name="count"/>, each subset equally likely.</summary>
    private void DrawUniform(DeterministicRandom random, int count, HashSet<int> chosen)
    {
        for (int j = count - SamplesPerClient; j < count; j++)
        {
            int t = random.Next(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
    }

    /// <summary>
    /// q ~ Dir(alpha) by normalised Gamma(alpha, 1) draws; then each sample's class from q and the
    /// sample uniformly within the class, drawn again when taken. A class whose samples are all
    /// taken is left out of q from then on, so the loop ends whenever the set is large enough.
    /// </summary>
    private void DrawByClass(DeterministicRandom random, int[][] byClass, double[] proportions, HashSet<int> chosen)
    {
        for (int c = 0; c < proportions.Length; c++)
        {
            proportions[c] = byClass[c].Length == 0 ? 0 : Gamma.Sample(random, Alpha, 1.0);
        }

        var taken = new int[proportions.Length];
        while (chosen.Count < SamplesPerClient)
        {
            double total = proportions.Sum();
            int c = 0;
            if (total > 0)
            {
                double u = random.NextDouble() * total;
                while (c < proportions.Length - 1 && (u -= proportions[c]) >= 0)
                {
                    c++;
                }
            }

            if (proportions[c] == 0)
            {
                // Every weighted class is exhausted (or the draws underflowed to 0): fall back to
                // the classes with samples left, uniformly.
                var open = Enumerable.Range(0, byClass.Length).Where(k => taken[k] < byClass[k].Length).ToArray();
                c = open[random.Next(open.Length)];
                proportions[c] = double.Epsilon;
            }

            if (chosen.Add(byClass[c][random.Next(byClass[c].Length)]) && ++taken[c] == byClass[c].Length)
            {
                proportions[c] = 0;
            }
        }
    }
}
