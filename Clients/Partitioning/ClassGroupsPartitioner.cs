namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// Class groups: the clients form <see cref="Groups"/> contiguous groups by id and the classes as
/// many contiguous blocks; group g holds exactly the samples of class block g, split IID among its
/// clients (client k is in group floor(k g / n), class c in block floor(c g / C)). With two groups
/// on a dumbbell graph it is the non-IID split of He, Karimireddy, Jaggi's dumbbell experiment
/// (ClippedGossip, ICLR 2023; its DumbbellSampler with noniid = 1): each clique sees half the classes.
/// </summary>
/// <param name="groups">Number of groups, at least 1, at most the number of clients and of classes.</param>
public sealed class ClassGroupsPartitioner(int groups) : Partitioner(RegistryName)
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "class-groups";

    /// <summary>Number of client groups and class blocks.</summary>
    public int Groups { get; } = groups;

    /// <inheritdoc />
    public override Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed)
    {
        if (Groups > clients || Groups > classes)
        {
            throw new ArgumentException($"class-groups: {Groups} groups need at least {Groups} clients and {Groups} classes; got {clients} clients, {classes} classes");
        }

        var order = Enumerable.Range(0, labels.Length).ToArray();
        new DeterministicRandom(seed).FisherYates(order.AsSpan());
        var labelOf = labels.ToArray();
        var parts = new ImmutableArray<int>[clients];
        for (int group = 0; group < Groups; group++)
        {
            int g = group;
            var samples = order.Where(i => (long)labelOf[i] * Groups / classes == g).ToArray();
            var members = Enumerable.Range(0, clients).Where(k => (long)k * Groups / clients == g).ToArray();
            if (samples.Length < members.Length)
            {
                throw new ArgumentException($"class-groups: group {g} has {samples.Length} samples for {members.Length} clients");
            }

            for (int m = 0; m < members.Length; m++)
            {
                int start = (int)((long)samples.Length * m / members.Length);
                int end = (int)((long)samples.Length * (m + 1) / members.Length);
                var part = samples[start..end];
                Array.Sort(part);
                parts[members[m]] = [.. part];
            }
        }

        return new Partition([.. parts]);
    }
}
