namespace ByzantineSim.Simulator.Peers;

/// <summary>The communication graphs a peer-to-peer run can use (the spec's <c>topology.name</c>).</summary>
public enum TopologyKind
{
    /// <summary>A cycle: peer i talks to i - 1 and i + 1 (mod n).</summary>
    Ring,

    /// <summary>A 2-D torus grid of r x c peers (the most square factorisation of n), each with 4 neighbours.</summary>
    Torus,

    /// <summary>Every peer talks to every other.</summary>
    Complete,

    /// <summary>G(n, p): each pair is an edge with probability p (one draw; a disconnected one is refused).</summary>
    ErdosRenyi,

    /// <summary>A uniformly drawn k-regular graph (pairing model, redrawn until simple).</summary>
    RandomRegular,

    /// <summary>The static exponential graph: i talks to i +- 2^m (mod n) for 2^m &lt; n.</summary>
    Exponential,

    /// <summary>G(n, p) drawn afresh every <see cref="TopologySettings.Every"/> rounds.</summary>
    TimeVarying,

    /// <summary>
    /// Two cliques of n/2 peers joined by one edge (positions n/2 - 1 and n/2): the bottleneck of
    /// He, Karimireddy, Jaggi's dumbbell experiment (ClippedGossip, ICLR 2023). n must be even.
    /// </summary>
    Dumbbell,
}

/// <summary>How an honest peer mixes its model with the models its neighbours sent (chosen by the spec's <c>aggregator</c>: gossip, clipped-gossip, or any registered rule).</summary>
public enum PeerMixing
{
    /// <summary>The run's <c>aggregator</c> applied to the rows [own model, neighbours' models] with equal weights.</summary>
    Aggregator,

    /// <summary>Plain gossip: the Metropolis-Hastings weighted average (not robust).</summary>
    Gossip,

    /// <summary>ClippedGossip (self-centred clipping, He, Karimireddy, Jaggi 2022) with Metropolis-Hastings weights.</summary>
    ClippedGossip,

    /// <summary>Bristle (Verbraeken, de Vos, Pouwelse 2021): distance-based prioritizer, per-class performance-based integrator of output layers.</summary>
    Bristle,
}

/// <summary>Bristle's options (the spec's <c>aggregator: {name: bristle, ...}</c>).</summary>
/// <param name="Alpha">The prioritizer's exploration share alpha.</param>
/// <param name="Candidates">The prioritizer's N.</param>
/// <param name="Samples">Own training samples each peer scores the output layers on.</param>
/// <param name="SharedClasses">
/// When true, a peer scores a sender's layer only on as many of its classes as they share (the
/// reference's countPerPeer; a Byzantine sender is assumed to share all of them); false (the
/// default) scores every class of the peer's own samples.
/// </param>
public sealed record BristleSettings(double Alpha, int Candidates, int Samples, bool SharedClasses = false)
{
    /// <summary>Own samples scored by default (the reference's test iterator: at most 10 samples per class, 10 classes).</summary>
    public const int DefaultSamples = 100;
}

/// <summary>A run's topology as the spec gives it.</summary>
/// <param name="Kind">Which graph.</param>
/// <param name="Seed">Seed of the random graphs and of the Byzantine peers' placement.</param>
public sealed record TopologySettings(TopologyKind Kind, ulong Seed)
{
    /// <summary>The default edge probability of Erdos-Renyi and time-varying graphs.</summary>
    public const double DefaultProbability = 0.2;

    /// <summary>The default degree of random regular graphs.</summary>
    public const int DefaultDegree = 4;

    /// <summary>The default resampling period of time-varying graphs.</summary>
    public const int DefaultEvery = 1;

    /// <summary>The default mixing: the run's aggregator.</summary>
    public const PeerMixing DefaultMixing = PeerMixing.Aggregator;

    /// <summary>Edge probability p (erdos-renyi, time-varying). <value>0.2</value></summary>
    public double Probability { get; init; } = DefaultProbability;

    /// <summary>Degree k (random-regular). <value>4</value></summary>
    public int Degree { get; init; } = DefaultDegree;

    /// <summary>Rounds between two draws of a time-varying graph. <value>1</value></summary>
    public int Every { get; init; } = DefaultEvery;

    /// <summary>How honest peers mix. <value>Aggregator</value></summary>
    public PeerMixing Mixing { get; init; } = DefaultMixing;

    /// <summary>ClippedGossip's fixed clipping radius; null for the adaptive radius. <value>null</value></summary>
    public double? ClipRadius { get; init; }

    /// <summary>Bristle's options when <see cref="Mixing"/> is Bristle. <value>null</value></summary>
    public BristleSettings? Bristle { get; init; }

    /// <summary>Pretrained, frozen non-output layers (only the output layer is trained and exchanged); null trains the whole model. <value>null</value></summary>
    public TransferSettings? Transfer { get; init; }

    /// <summary>Pairings a random regular graph may take to be simple before the run is refused.</summary>
    public const int MaxDraws = 1000;

    /// <summary>The graph of round <paramref name="round"/> (every round's, except for time-varying graphs).</summary>
    public PeerGraph GraphAt(int round, int peers, int byzantine) =>
        PeerGraph.Build(this, peers, byzantine, Kind == TopologyKind.TimeVarying ? round / Every : 0);

    /// <summary>Every distinct graph of a run of <paramref name="rounds"/> rounds, with the first round it is used in.</summary>
    public IEnumerable<(int FirstRound, PeerGraph Graph)> Graphs(int rounds, int peers, int byzantine)
    {
        int period = Kind == TopologyKind.TimeVarying ? Every : Math.Max(1, rounds);
        for (int first = 0; first < Math.Max(1, rounds); first += period)
        {
            yield return (first, GraphAt(first, peers, byzantine));
        }
    }
}

/// <summary>
/// One communication graph over peers 0 .. n-1 (ids as the run's: honest first, Byzantine last).
/// Graphs are drawn over positions; Byzantine peers are placed at evenly spaced positions (the
/// ring's and torus's bottlenecks stay honest-majority) and honest peers fill the rest in order.
/// Undirected, no self-loops; neighbour lists ascending by id.
/// </summary>
public sealed class PeerGraph
{
    // Rows of the torus's grid (0 for the graphs drawn on a circle).
    private readonly int _gridRows;

    private PeerGraph(ImmutableArray<ImmutableArray<int>> neighbours, int byzantine, ImmutableArray<int> positions, int gridRows)
    {
        Neighbours = neighbours;
        Honest = neighbours.Length - byzantine;
        Positions = positions;
        _gridRows = gridRows;
    }

    /// <summary>Each peer's position in the graph's construction (ring order, grid cell in row-major order, ...), by peer id.</summary>
    public ImmutableArray<int> Positions { get; }

    /// <summary>Each peer's neighbours, ascending.</summary>
    public ImmutableArray<ImmutableArray<int>> Neighbours { get; }

    /// <summary>Number of honest peers (ids 0 .. Honest-1).</summary>
    public int Honest { get; }

    /// <summary>Number of peers.</summary>
    public int Peers => Neighbours.Length;

    /// <summary>True when <paramref name="peer"/> is Byzantine.</summary>
    public bool IsByzantine(int peer) => peer >= Honest;

    /// <summary>The Byzantine neighbours of <paramref name="peer"/>.</summary>
    public int ByzantineNeighbours(int peer) => Neighbours[peer].Count(IsByzantine);

    /// <summary>
    /// Where to draw each peer, by id, in [-1, 1]^2: the torus's cells on its grid, every other
    /// graph's positions evenly around a circle (position 0 at the top, clockwise), so a ring
    /// draws as a ring and an exponential graph's chords as chords.
    /// </summary>
    public ImmutableArray<(double X, double Y)> Coordinates()
    {
        int n = Peers;
        if (_gridRows > 0)
        {
            int columns = n / _gridRows;
            double Scale(int index, int count) => count == 1 ? 0 : (2.0 * index / (count - 1)) - 1;
            return [.. Positions.Select(p => (Scale(p % columns, columns), -Scale(p / columns, _gridRows)))];
        }

        return [.. Positions.Select(p => (Math.Sin(2 * Math.PI * p / n), Math.Cos(2 * Math.PI * p / n)))];
    }

    /// <summary>The Metropolis-Hastings weight W_ij = 1 / (1 + max(deg i, deg j)) of an edge.</summary>
    public double Weight(int i, int j) => 1.0 / (1 + Math.Max(Neighbours[i].Length, Neighbours[j].Length));

    /// <summary>W_ii = 1 - sum of <paramref name="i"/>'s edge weights.</summary>
    public double SelfWeight(int i) => 1 - Neighbours[i].Sum(j => Weight(i, j));

    /// <summary>True when every peer can reach every other.</summary>
    public bool IsConnected => Reachable(0, _ => true) == Peers;

    /// <summary>True when the honest peers reach each other through honest peers only.</summary>
    public bool HonestConnected => Honest == 0 || Reachable(0, p => !IsByzantine(p)) == Honest;

    /// <summary>Builds draw <paramref name="draw"/> of <paramref name="settings"/> over <paramref name="peers"/> peers, <paramref name="byzantine"/> of them Byzantine.</summary>
    /// <exception cref="ArgumentException">The graph cannot be built (e.g. k*n odd).</exception>
    public static PeerGraph Build(TopologySettings settings, int peers, int byzantine, int draw = 0)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(peers, 2);
        var edges = settings.Kind switch
        {
            TopologyKind.Ring => Ring(peers),
            TopologyKind.Torus => Torus(peers),
            TopologyKind.Complete => Complete(peers),
            TopologyKind.Exponential => Exponential(peers),
            TopologyKind.Dumbbell => Dumbbell(peers),
            TopologyKind.ErdosRenyi or TopologyKind.TimeVarying => Drawn(settings, peers, draw, r => ErdosRenyi(peers, settings.Probability, r)),
            TopologyKind.RandomRegular => Drawn(settings, peers, draw, r => RandomRegular(peers, settings.Degree, r)),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "unknown topology"),
        };

        // Position -> peer id: Byzantine peers at positions floor(k n / f), honest peers in order elsewhere.
        var byzantinePositions = Enumerable.Range(0, byzantine).Select(k => (int)((long)k * peers / byzantine)).ToHashSet();
        var idAt = new int[peers];
        int nextHonest = 0, nextByzantine = peers - byzantine;
        for (int position = 0; position < peers; position++)
        {
            idAt[position] = byzantinePositions.Contains(position) ? nextByzantine++ : nextHonest++;
        }

        var lists = Enumerable.Range(0, peers).Select(_ => new SortedSet<int>()).ToArray();
        foreach (var (a, b) in edges)
        {
            lists[idAt[a]].Add(idAt[b]);
            lists[idAt[b]].Add(idAt[a]);
        }

        var positions = new int[peers];
        for (int position = 0; position < peers; position++)
        {
            positions[idAt[position]] = position;
        }

        return new PeerGraph([.. lists.Select(l => l.ToImmutableArray())], byzantine, [.. positions], settings.Kind == TopologyKind.Torus ? TorusRows(peers) : 0);
    }

    private int Reachable(int start, Func<int, bool> allowed)
    {
        var seen = new bool[Peers];
        var queue = new Queue<int>([start]);
        seen[start] = true;
        int count = 0;
        while (queue.TryDequeue(out int peer))
        {
            count++;
            foreach (int next in Neighbours[peer].Where(n => !seen[n] && allowed(n)))
            {
                seen[next] = true;
                queue.Enqueue(next);
            }
        }

        return count;
    }

    private static IEnumerable<(int, int)> Ring(int n) => Enumerable.Range(0, n).Select(i => (i, (i + 1) % n)).Where(e => e.Item1 != e.Item2);

    private static IEnumerable<(int, int)> Complete(int n) =>
        Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(i + 1, n - i - 1).Select(j => (i, j)));

    // Rows x columns with rows the largest divisor <= sqrt(n); each row and each column is a ring.
    private static IEnumerable<(int, int)> Torus(int n)
    {
        int rows = TorusRows(n), columns = n / rows;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                int here = (r * columns) + c;
                yield return (here, (r * columns) + ((c + 1) % columns));
                yield return (here, (((r + 1) % rows) * columns) + c);
            }
        }
    }

    private static IEnumerable<(int, int)> Dumbbell(int n)
    {
        if (n % 2 != 0 || n < 4)
        {
            throw new ArgumentException($"a dumbbell needs an even number of peers, at least 4 (two cliques of n/2); got {n}", nameof(n));
        }

        int half = n / 2;
        var clique = Complete(half).ToList();
        return [.. clique, .. clique.Select(e => (e.Item1 + half, e.Item2 + half)), (half - 1, half)];
    }

    private static int TorusRows(int n) => Enumerable.Range(1, (int)Math.Sqrt(n)).Last(r => n % r == 0);

    private static IEnumerable<(int, int)> Exponential(int n)
    {
        for (int i = 0; i < n; i++)
        {
            for (int hop = 1; hop < n; hop *= 2)
            {
                yield return (i, (i + hop) % n);
            }
        }
    }

    private static List<(int, int)> ErdosRenyi(int n, double p, DeterministicRandom random) =>
        [.. Complete(n).Where(_ => random.NextDouble() < p)];

    // The pairing (configuration) model: k stubs per node, shuffled and paired; a draw with a
    // self-loop or a repeated edge is rejected, so the accepted graphs are uniform among k-regular ones.
    private static List<(int, int)>? RandomRegular(int n, int k, DeterministicRandom random)
    {
        var stubs = Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat(i, k)).ToArray();
        random.FisherYates(stubs.AsSpan());
        var edges = new HashSet<(int, int)>();
        for (int s = 0; s < stubs.Length; s += 2)
        {
            var edge = (Math.Min(stubs[s], stubs[s + 1]), Math.Max(stubs[s], stubs[s + 1]));
            if (edge.Item1 == edge.Item2 || !edges.Add(edge))
            {
                return null;
            }
        }

        return [.. edges.Order()];
    }

    // One G(n, p) draw as it comes (a disconnected one is the spec's error); a random regular
    // pairing is redrawn only while it is not simple.
    private static IEnumerable<(int, int)> Drawn(TopologySettings settings, int n, int draw, Func<DeterministicRandom, List<(int, int)>?> next)
    {
        if (settings.Kind == TopologyKind.RandomRegular && (settings.Degree >= n || settings.Degree * n % 2 != 0))
        {
            throw new ArgumentException($"no {settings.Degree}-regular graph on {n} peers (needs k < n and k*n even)", nameof(settings));
        }

        var random = new DeterministicRandom(Seed.Derive(settings.Seed, "topology", draw));
        for (int attempt = 0; attempt < TopologySettings.MaxDraws; attempt++)
        {
            if (next(random) is { } edges)
            {
                return edges;
            }
        }

        throw new ArgumentException($"no simple {settings.Degree}-regular pairing on {n} peers in {TopologySettings.MaxDraws} draws", nameof(settings));
    }
}
