using ByzantineSim.Clients.Data;

namespace ByzantineSim.Clients.Partitioning;

/// <summary>
/// The natural partition of a data set whose samples have users (LEAF's FEMNIST writers and
/// Shakespeare roles): each client holds every training sample of one user. With as many
/// clients as users, client k is the k-th user in id order; with fewer, the users are a
/// uniform sample without replacement drawn from the partition seed (LEAF's own sampling of
/// users, Caldas et al. 2018), again in id order; the others' samples go unused.
/// </summary>
public sealed class NaturalPartitioner : IPartitioner
{
    /// <summary>The name a spec's YAML uses to select this partitioner; its key in the partitioner registry.</summary>
    public const string RegistryName = "natural";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int classes, int clients, ulong seed) =>
        throw new ArgumentException(NoUsers("the labels alone"));

    /// <inheritdoc />
    public Partition Split(Dataset train, int clients, ulong seed)
    {
        var users = train.Users ?? throw new ArgumentException(NoUsers(train.Name));
        int count = users.Names.Length;
        if (clients > count)
        {
            throw new ArgumentException($"the natural partition gives each client one user, but {train.Name} has {count} users for {clients} clients");
        }

        var chosen = Enumerable.Range(0, count).ToArray();
        if (clients < count)
        {
            new DeterministicRandom(seed).FisherYates(chosen.AsSpan());
            chosen = chosen[..clients];
            Array.Sort(chosen);
        }

        var client = new int[count];
        Array.Fill(client, -1);
        for (int k = 0; k < chosen.Length; k++)
        {
            client[chosen[k]] = k;
        }

        var parts = Enumerable.Range(0, clients).Select(_ => ImmutableArray.CreateBuilder<int>()).ToArray();
        for (int sample = 0; sample < users.OfSample.Length; sample++)
        {
            int owner = client[users.OfSample[sample]];
            if (owner >= 0)
            {
                parts[owner].Add(sample);
            }
        }

        return new Partition([.. parts.Select(p => p.ToImmutable())]);
    }

    private static string NoUsers(string data) =>
        $"the natural partition needs samples that belong to users (data sets femnist, shakespeare); {data} has none";
}
