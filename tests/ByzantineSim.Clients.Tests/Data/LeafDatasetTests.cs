namespace ByzantineSim.Clients.Tests.Data;

public sealed class LeafDatasetTests() : TempFolderTest("leaf-tests-")
{
    [Fact]
    public void Load_Femnist_SortsUsersByIdAndKeepsEachUsersSamplesTogether()
    {
        var users = PublishedFormats.FemnistUsers(12);
        PublishedFormats.WriteLeaf(Folder, users, perFile: 5);
        var data = LeafDataset.Load(Folder, LeafTask.Femnist, "femnist");

        var sorted = users.OrderBy(u => u.Train.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(sorted.Sum(u => u.Train.X.Count), data.Train.Count);
        Assert.InRange(data.Train.Count + data.Test.Count, 200, 500);
        Assert.Equal([1, 28, 28], data.Train.SampleShape.ToArray());
        Assert.Equal(62, data.Train.Classes);
        Assert.Equal(sorted.Select(u => u.Train.Name), data.Train.Users!.Names);

        int sample = 0;
        for (int u = 0; u < sorted.Count; u++)
        {
            for (int k = 0; k < sorted[u].Train.X.Count; k++, sample++)
            {
                Assert.Equal(u, data.Train.Users.OfSample[sample]);
                Assert.Equal((int)sorted[u].Train.Y[k], data.Train.Labels[sample]);
                Assert.Equal((float[])sorted[u].Train.X[k], data.Train.FeaturesOf(sample).ToArray());
            }
        }
    }

    [Fact]
    public void Load_Shakespeare_MapsCharactersToLeafAlphabetIndices()
    {
        var users = PublishedFormats.ShakespeareUsers(6, LeafDataset.Alphabet);
        PublishedFormats.WriteLeaf(Folder, users, perFile: 4);
        var data = LeafDataset.Load(Folder, LeafTask.Shakespeare, "shakespeare");

        Assert.Equal([80], data.Train.SampleShape.ToArray());
        Assert.Equal(80, data.Train.Classes);
        var first = users.OrderBy(u => u.Train.Name, StringComparer.Ordinal).First().Train;
        string line = (string)first.X[0];
        Assert.Equal(line.Select(c => (float)LeafDataset.Alphabet.IndexOf(c, StringComparison.Ordinal)), data.Train.FeaturesOf(0).ToArray());
        Assert.Equal(LeafDataset.Alphabet.IndexOf(((string)first.Y[0])[0], StringComparison.Ordinal), data.Train.Labels[0]);

        // LEAF's language_utils.py ALL_LETTERS, counted by hand: 80 characters, '\n' is 0, 'A' is 25 (after 11 symbols, 10 digits, 4 more symbols), 'a' is 53 (after 'Z', '[', ']').
        Assert.Equal(80, LeafDataset.Alphabet.Length);
        Assert.Equal(0, LeafDataset.Alphabet.IndexOf('\n', StringComparison.Ordinal));
        Assert.Equal(25, LeafDataset.Alphabet.IndexOf('A', StringComparison.Ordinal));
        Assert.Equal(53, LeafDataset.Alphabet.IndexOf('a', StringComparison.Ordinal));
    }

    [Fact]
    public void Load_CountDisagreesWithNumSamples_NamesFileAndUser()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "train"));
        Directory.CreateDirectory(Path.Combine(Folder, "test"));
        string file = Path.Combine(Folder, "train", "a.json");
        File.WriteAllText(file, """{"users": ["u1"], "num_samples": [2], "user_data": {"u1": {"x": ["abc"], "y": ["d"]}}}""");
        File.WriteAllText(Path.Combine(Folder, "test", "a.json"), """{"users": [], "num_samples": [], "user_data": {}}""");
        var error = Assert.Throws<InvalidDataException>(() => LeafDataset.Load(Folder, LeafTask.Shakespeare, "shakespeare"));
        Assert.Equal($"{file}: user_data.u1: 1 x and 1 y, but num_samples says 2", error.Message);
    }

    [Fact]
    public void NaturalPartition_OneClientPerUser_HoldsExactlyThatUsersSamples()
    {
        PublishedFormats.WriteLeaf(Folder, PublishedFormats.FemnistUsers(10), perFile: 3);
        var train = LeafDataset.Load(Folder, LeafTask.Femnist, "femnist").Train;
        var partition = new NaturalPartitioner().Split(train, 10, seed: 5);

        for (int client = 0; client < 10; client++)
        {
            var expected = Enumerable.Range(0, train.Count).Where(s => train.Users!.OfSample[s] == client);
            Assert.Equal(expected, partition.Clients[client]);
        }
    }

    [Fact]
    public void NaturalPartition_FewerClients_SamplesDistinctUsersFromTheSeed()
    {
        PublishedFormats.WriteLeaf(Folder, PublishedFormats.FemnistUsers(10), perFile: 3);
        var train = LeafDataset.Load(Folder, LeafTask.Femnist, "femnist").Train;
        var partitioner = new NaturalPartitioner();
        var partition = partitioner.Split(train, 4, seed: 5);

        var owners = partition.Clients.Select(c => c.Select(s => train.Users!.OfSample[s]).Distinct().Single()).ToList();
        Assert.Equal(4, owners.Distinct().Count());
        Assert.Equal(owners.Order(), owners);
        foreach (var (client, owner) in partition.Clients.Zip(owners))
        {
            Assert.Equal(Enumerable.Range(0, train.Count).Count(s => train.Users!.OfSample[s] == owner), client.Length);
        }

        Assert.Equal(partition.Clients.SelectMany(c => c), partitioner.Split(train, 4, seed: 5).Clients.SelectMany(c => c));
        Assert.NotEqual(partition.Clients.SelectMany(c => c), partitioner.Split(train, 4, seed: 6).Clients.SelectMany(c => c));
    }

    [Fact]
    public void NaturalPartition_MoreClientsThanUsers_SaysHowMany()
    {
        PublishedFormats.WriteLeaf(Folder, PublishedFormats.FemnistUsers(3), perFile: 3);
        var train = LeafDataset.Load(Folder, LeafTask.Femnist, "femnist").Train;
        var error = Assert.Throws<ArgumentException>(() => new NaturalPartitioner().Split(train, 5, 1));
        Assert.Equal("the natural partition gives each client one user, but femnist/train has 3 users for 5 clients", error.Message);
    }

    [Fact]
    public void NaturalPartition_HonestDataOnly_LeavesByzantineClientsEmpty()
    {
        PublishedFormats.WriteLeaf(Folder, PublishedFormats.FemnistUsers(6), perFile: 3);
        var train = LeafDataset.Load(Folder, LeafTask.Femnist, "femnist").Train;
        var partition = new HonestDataOnly(new NaturalPartitioner(), 2).Split(train, 8, 1);
        Assert.Equal(8, partition.Clients.Length);
        Assert.All(partition.Clients.Take(6), c => Assert.NotEmpty(c));
        Assert.All(partition.Clients.Skip(6), c => Assert.Empty(c));
    }
}
