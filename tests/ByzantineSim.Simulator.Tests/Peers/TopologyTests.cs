using ByzantineSim.Simulator.Peers;

namespace ByzantineSim.Simulator.Tests.Peers;

public class TopologyTests
{
    private static PeerGraph Build(TopologyKind kind, int n, int f = 0, ulong seed = 1, double p = 0.3, int k = 4) =>
        PeerGraph.Build(new TopologySettings(kind, seed) { Probability = p, Degree = k }, n, f);

    [Fact]
    public void Ring_GivesEveryPeerTwoNeighbours_AndPlacesTheByzantinePeerBetweenTwoHonestOnes()
    {
        var graph = Build(TopologyKind.Ring, 8, f: 1);
        Assert.All(graph.Neighbours, l => Assert.Equal(2, l.Length));
        // Position 0 holds the Byzantine peer (id 7); positions 1..7 hold honest peers 0..6.
        Assert.Equal([0, 6], graph.Neighbours[7].ToArray());
        Assert.Equal([1, 7], graph.Neighbours[0].ToArray());
        Assert.True(graph.IsConnected);
        Assert.True(graph.HonestConnected);
    }

    [Fact]
    public void Coordinates_DrawARingInRingOrder_WithTheByzantinePeerAtTheTop()
    {
        var coordinates = Build(TopologyKind.Ring, 4, f: 1).Coordinates();
        // Positions: 0 -> Byzantine id 3, 1..3 -> honest 0..2; position p at angle 2 pi p / 4 clockwise from the top.
        (double X, double Y)[] expected = [(1, 0), (0, -1), (-1, 0), (0, 1)];
        Assert.All(expected.Zip(coordinates), pair =>
        {
            Assert.Equal(pair.First.X, pair.Second.X, 12);
            Assert.Equal(pair.First.Y, pair.Second.Y, 12);
        });
    }

    [Fact]
    public void Coordinates_DrawATorusOnItsGrid()
    {
        // 6 peers: 2 rows x 3 columns; position p at column p % 3, row p / 3 (row 0 at the top).
        var graph = Build(TopologyKind.Torus, 6);
        Assert.Equal([(-1.0, 1.0), (0.0, 1.0), (1.0, 1.0), (-1.0, -1.0), (0.0, -1.0), (1.0, -1.0)], graph.Coordinates().ToArray());
    }

    [Fact]
    public void Dumbbell_IsTwoCliquesJoinedByOneEdge()
    {
        var graph = Build(TopologyKind.Dumbbell, 10);
        // Peers 0-4 and 5-9 are cliques (4 neighbours each); the bridge joins 4 and 5.
        Assert.Equal([0, 1, 2, 3, 5], graph.Neighbours[4].ToArray());
        Assert.Equal([4, 6, 7, 8, 9], graph.Neighbours[5].ToArray());
        Assert.All(new[] { 0, 1, 2, 3, 6, 7, 8, 9 }, p => Assert.Equal(4, graph.Neighbours[p].Length));
        Assert.Equal(2 * 10 + 1, graph.Neighbours.Sum(l => l.Length) / 2);
        Assert.True(graph.IsConnected);
        Assert.Contains("even number of peers", Assert.Throws<ArgumentException>(() => Build(TopologyKind.Dumbbell, 9)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ring_WithTwoByzantinePeers_CutsTheHonestPeersApart()
    {
        var graph = Build(TopologyKind.Ring, 8, f: 2);
        Assert.True(graph.IsConnected);
        Assert.False(graph.HonestConnected);
    }

    [Theory]
    [InlineData(16, 4)] // 4 x 4
    [InlineData(12, 4)] // 3 x 4
    public void Torus_GivesEveryPeerFourNeighbours(int n, int degree) =>
        Assert.All(Build(TopologyKind.Torus, n).Neighbours, l => Assert.Equal(degree, l.Length));

    [Fact]
    public void Complete_AndExponential_HaveTheirDegrees()
    {
        Assert.All(Build(TopologyKind.Complete, 9).Neighbours, l => Assert.Equal(8, l.Length));
        // n = 16: hops 1, 2, 4 both ways and 8 (its own opposite): 7 neighbours.
        var exponential = Build(TopologyKind.Exponential, 16);
        Assert.All(exponential.Neighbours, l => Assert.Equal(7, l.Length));
        Assert.Equal([1, 2, 4, 8, 12, 14, 15], exponential.Neighbours[0].ToArray());
    }

    [Fact]
    public void RandomRegular_IsRegular_AndAPureFunctionOfItsSeed()
    {
        var graph = Build(TopologyKind.RandomRegular, 20, seed: 3);
        Assert.All(graph.Neighbours, l => Assert.Equal(4, l.Length));
        Assert.Equal(graph.Neighbours.SelectMany(l => l), Build(TopologyKind.RandomRegular, 20, seed: 3).Neighbours.SelectMany(l => l));
        Assert.NotEqual(graph.Neighbours.SelectMany(l => l), Build(TopologyKind.RandomRegular, 20, seed: 4).Neighbours.SelectMany(l => l));
        Assert.Throws<ArgumentException>(() => Build(TopologyKind.RandomRegular, 7, k: 3)); // 3 * 7 is odd
    }

    [Fact]
    public void ErdosRenyi_WithATinyP_IsDisconnected()
    {
        Assert.False(Build(TopologyKind.ErdosRenyi, 30, p: 0.01).IsConnected);
        Assert.True(Build(TopologyKind.ErdosRenyi, 30, p: 1).IsConnected);
    }

    [Fact]
    public void TimeVarying_KeepsItsGraphForEveryRounds_ThenDrawsAnother()
    {
        var settings = new TopologySettings(TopologyKind.TimeVarying, 9) { Probability = 0.3, Every = 3 };
        int[] Edges(int round) => [.. settings.GraphAt(round, 16, 0).Neighbours.SelectMany(l => l.Append(-1))];
        Assert.Equal(Edges(0), Edges(2));
        Assert.NotEqual(Edges(2), Edges(3));
        Assert.Equal(2, settings.Graphs(6, 16, 0).Count());
    }

    [Fact]
    public void MetropolisWeights_AreSymmetric_AndEachPeersSumToOne()
    {
        var graph = Build(TopologyKind.ErdosRenyi, 12, p: 0.4);
        for (int i = 0; i < graph.Peers; i++)
        {
            Assert.Equal(1.0, graph.SelfWeight(i) + graph.Neighbours[i].Sum(j => graph.Weight(i, j)), 12);
            Assert.All(graph.Neighbours[i], j => Assert.Equal(graph.Weight(i, j), graph.Weight(j, i)));
            Assert.True(graph.SelfWeight(i) > 0);
        }
    }
}
