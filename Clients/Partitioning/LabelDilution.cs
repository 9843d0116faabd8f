namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Uniform label noise as Rolnick, Veit, Belongie, Shavit define it ("Deep Learning is Robust to
/// Massive Label Noise", 2017, arXiv 1705.10694): every clean training example is diluted with
/// <see cref="Alpha"/> examples whose labels are drawn uniformly at random from all classes
/// (the true one included). Unlike <see cref="LabelNoise"/>, nothing is replaced: a client with N
/// clean samples trains on N (1 + alpha). Here the noisy examples are copies of the client's own
/// images (alpha per clean one), so no data moves between clients; their labels, independent of
/// the image, are a pure function of the seed and the copy (see <see cref="DilutedSamples"/>).
/// Only the clients' training data is diluted, never the test set.
/// </summary>
/// <param name="Alpha">Noisy examples per clean one (0: none).</param>
/// <param name="Clients">How many clients are diluted, ids 0 .. k-1 (honest, since Byzantine ids come last); null: every client.</param>
public sealed record LabelDilution(int Alpha, int? Clients)
{
    /// <summary>Noisy copies' labels drawn anew at every use (see <see cref="DilutedSamples.FreshLabels"/>). <value>false</value></summary>
    public bool FreshLabels { get; init; }

    /// <summary>
    /// The largest alpha a training set of <paramref name="trainCount"/> samples allows: copy c of
    /// sample i has index i + c N, which must fit in an int.
    /// </summary>
    public static int MaxAlpha(int trainCount) => (int.MaxValue / Math.Max(1, trainCount)) - 1;

    /// <summary>
    /// <paramref name="partition"/> with each diluted client's samples followed by alpha copies of
    /// each (in copy order, so the indices stay increasing) and <see cref="Partition.Dilution"/>
    /// set; the partition itself when alpha is 0.
    /// </summary>
    /// <param name="partition">The clean split.</param>
    /// <param name="trainCount">Samples in the training set N.</param>
    /// <param name="classes">Number of classes the noisy labels are drawn from.</param>
    /// <param name="seed">The run's stream for the noisy labels.</param>
    public Partition Apply(Partition partition, int trainCount, int classes, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (Alpha == 0)
        {
            return partition;
        }

        if (Alpha < 0 || Alpha > MaxAlpha(trainCount))
        {
            throw new ArgumentException($"label dilution alpha must be in [0, {MaxAlpha(trainCount)}] for {trainCount} training samples, got {Alpha}", nameof(partition));
        }

        if (classes < 2)
        {
            throw new ArgumentException($"label dilution needs at least 2 classes, got {classes}", nameof(partition));
        }

        int diluted = Math.Min(Clients ?? partition.Clients.Length, partition.Clients.Length);
        var parts = partition.Clients.ToBuilder();
        for (int client = 0; client < diluted; client++)
        {
            var clean = partition.Clients[client];
            var samples = ImmutableArray.CreateBuilder<int>(clean.Length * (Alpha + 1));
            samples.AddRange(clean);
            for (int copy = 1; copy <= Alpha; copy++)
            {
                foreach (int sample in clean)
                {
                    samples.Add(sample + (copy * trainCount));
                }
            }

            parts[client] = samples.MoveToImmutable();
        }

        return partition with { Clients = parts.MoveToImmutable(), Dilution = new DilutedSamples(trainCount, classes, seed) { FreshLabels = FreshLabels } };
    }
}
