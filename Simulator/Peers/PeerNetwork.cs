using ByzantineSim.Aggregators;
using ByzantineSim.Aggregators.Gossip;
using ByzantineSim.Attacks;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Server;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Peers;

/// <summary>
/// The pure state of a peer-to-peer run: every honest peer's model, worker momentum and batch
/// order, the graph of the round and the Byzantine coalition's per-target attack state. A round is
/// (1) each honest peer's local step x_i' = x_i - lr (m_i + wd x_i) on its own gradient (computed
/// by the trainer pool, <see cref="LocalStep"/>), then (2) <see cref="Exchange"/>: every peer
/// sends x_i' to its neighbours, the Byzantine peers craft one vector per honest neighbour from
/// that neighbour's view (equivocation), and each honest peer mixes what it received with its
/// own robust local rule. Owned by one <see cref="PeerNetworkActor"/>; tests drive it directly.
/// </summary>
public sealed class PeerNetwork
{
    private readonly RunSetup _setup;
    private readonly TopologySettings _topology;
    private readonly float[][] _models;
    private readonly ClientState[] _peers;
    private readonly EpochOrders[] _epochs;
    private readonly double[] _losses;
    private readonly AggregationPipeline _pipeline;
    private readonly AggregatorState?[] _ruleStates;
    private readonly AttackState?[] _attackStates;
    private readonly List<PeerMessageRecord> _messages = [];
    private readonly List<BristleWeightRecord> _bristleWeights = [];
    private readonly Dictionary<(int From, int To), float[]> _lastReceived = [];
    private readonly TransferredModel? _transfer;
    private readonly int _offset;

    /// <summary>
    /// Starts every honest peer at <paramref name="initial"/> (theta_0, the same for all, as in the
    /// reference). With <paramref name="transfer"/>, only its output layer is trained and exchanged.
    /// </summary>
    public PeerNetwork(RunSetup setup, ReadOnlySpan<float> initial, Func<int, ClientState> initialState, TransferredModel? transfer = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(initialState);
        _setup = setup;
        _topology = setup.Topology ?? throw new ArgumentException("the run has no topology", nameof(setup));
        int honest = setup.HonestClients;
        var start = initial.ToArray();
        _models = [.. Enumerable.Range(0, honest).Select(_ => (float[])start.Clone())];
        _peers = [.. Enumerable.Range(0, honest).Select(initialState)];
        _epochs = [.. Enumerable.Range(0, honest).Select(_ => new EpochOrders())];
        _losses = new double[honest];
        _pipeline = setup.CreatePipeline();
        _ruleStates = new AggregatorState?[honest];
        _attackStates = new AttackState?[honest];
        Graph = _topology.GraphAt(0, setup.TotalClients, setup.ByzantineClients);
        _transfer = transfer;
        _offset = transfer?.Offset ?? 0;
        if (_topology.Mixing == PeerMixing.Bristle && (transfer is null || transfer.Evaluation.Length != honest))
        {
            throw new ArgumentException("bristle needs the transferred model and every honest peer's evaluation samples", nameof(transfer));
        }
    }

    /// <summary>The graph of the current round.</summary>
    public PeerGraph Graph { get; private set; }

    /// <summary>Model dimension d.</summary>
    public int Dimension => _models.Length == 0 ? 0 : _models[0].Length;

    /// <summary>Length of the vectors peers exchange: d, or the output layer's with transfer learning.</summary>
    public int Exchanged => _transfer?.Length ?? Dimension;

    /// <summary>Honest peer <paramref name="peer"/>'s model.</summary>
    public ReadOnlySpan<float> Model(int peer) => _models[peer];

    /// <summary>Every Byzantine-to-honest message so far (vector summaries), in round, receiver, sender order.</summary>
    public IReadOnlyList<PeerMessageRecord> Messages => _messages;

    /// <summary>Bristle runs: the weights the integrator gave every selected sender, in round, receiver, selection order.</summary>
    public IReadOnlyList<BristleWeightRecord> BristleWeights => _bristleWeights;

    /// <summary>The vector <paramref name="to"/> received from <paramref name="from"/> in the last exchange, or null.</summary>
    public float[]? Received(int from, int to) => _lastReceived.GetValueOrDefault((from, to));

    /// <summary>Honest peer <paramref name="peer"/>'s work of round <paramref name="round"/> (one minibatch, as an honest client's).</summary>
    public LocalWork Work(int peer, int round) => _peers[peer].Work(round, _setup.Training, null, _epochs[peer]);

    /// <summary>Applies honest peer <paramref name="peer"/>'s gradient of <paramref name="round"/>: momentum, weight decay, the local SGD step.</summary>
    public void LocalStep(int peer, int round, VectorPayload gradient, double loss)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        var training = _setup.Training;
        var (state, update) = _peers[peer].WithGradient(gradient, training.WorkerMomentum, training.MomentumForm);
        _peers[peer] = state;
        _losses[peer] = loss;
        float lr = (float)training.LearningRate.At(round), decay = (float)training.WeightDecay;
        var model = _models[peer];
        var step = update.Span;
        for (int k = _offset; k < model.Length; k++) // the frozen layers before the output layer never move
        {
            model[k] -= lr * (step[k] + (decay * model[k]));
        }
    }

    /// <summary>
    /// The exchange and mixing of round <paramref name="round"/> (after every honest peer's
    /// <see cref="LocalStep"/>); returns the round's record.
    /// </summary>
    public RoundRecord Exchange(int round)
    {
        if (_topology.Kind == TopologyKind.TimeVarying && round % _topology.Every == 0)
        {
            Graph = _topology.GraphAt(round, _setup.TotalClients, _setup.ByzantineClients); // a static graph is built once
        }

        _lastReceived.Clear();
        int d = Exchanged, honest = _models.Length;
        var mixed = new float[honest][];
        int aggregated = 0, rejected = 0, missing = 0, failed = 0;
        for (int peer = 0; peer < honest; peer++)
        {
            var neighbours = Graph.Neighbours[peer];
            var byzantine = neighbours.Where(Graph.IsByzantine).ToArray();
            var crafted = byzantine.Length == 0 ? [] : Craft(round, peer, byzantine);
            var rows = new List<ReadOnlyMemory<float>>();
            var senders = new List<int>();
            foreach (int neighbour in neighbours)
            {
                if (!Graph.IsByzantine(neighbour))
                {
                    rows.Add(Sent(neighbour));
                    senders.Add(neighbour);
                    continue;
                }

                var message = crafted[Array.IndexOf(byzantine, neighbour)];
                if (message is null)
                {
                    missing++;
                    continue;
                }

                _lastReceived[(neighbour, peer)] = message;
                _messages.Add(PeerMessageRecord.Of(round, neighbour, peer, message, Sent(peer).Span));
                if (message.Length != d || (_setup.Server.NonFinite == NonFinitePolicy.Exclude && !IsFinite(message)))
                {
                    rejected++;
                    continue;
                }

                rows.Add(message);
                senders.Add(neighbour);
            }

            aggregated += rows.Count;
            mixed[peer] = (float[])_models[peer].Clone();
            if (!Mix(round, peer, rows, senders, mixed[peer].AsSpan(_offset, d)))
            {
                failed++;
                _models[peer].CopyTo(mixed[peer], 0);
            }
        }

        double loss = _losses.Length == 0 ? double.NaN : _losses.Average();
        long bits = 32L * d * Enumerable.Range(0, honest).Sum(p => Graph.Neighbours[p].Length);
        for (int peer = 0; peer < honest; peer++)
        {
            _models[peer] = mixed[peer];
        }

        return new RoundRecord(round, loss, aggregated, rejected, missing, failed > 0, 0, 0)
        {
            Sampled = _setup.TotalClients,
            BitsSent = bits,
        };
    }

    /// <summary>
    /// The consensus distance (1/|H|) sum_i |x_i - mean_H x|^2 over the honest peers' models
    /// (Kong, Lin, Koloskova, Jaggi, Stich, ICML 2021), in double.
    /// </summary>
    public double ConsensusDistance()
    {
        int honest = _models.Length, d = Dimension;
        if (honest == 0)
        {
            return double.NaN;
        }

        var mean = new double[d];
        foreach (var model in _models)
        {
            for (int k = 0; k < d; k++)
            {
                mean[k] += model[k];
            }
        }

        double total = 0;
        foreach (var model in _models)
        {
            for (int k = 0; k < d; k++)
            {
                double delta = model[k] - (mean[k] / honest);
                total += delta * delta;
            }
        }

        return total / honest;
    }

    // The Byzantine neighbours' vectors for one honest target, from its view: the rows
    // x_j' - x_i' of i itself (zero) and its honest neighbours j, and i's mixing weights.
    private float[]?[] Craft(int round, int target, int[] byzantine)
    {
        var attack = _setup.Attack;
        if (attack.Delivery == AttackDelivery.Silent)
        {
            return new float[]?[byzantine.Length];
        }

        int d = Exchanged;
        var own = Sent(target).ToArray();
        var honestNeighbours = Graph.Neighbours[target].Where(j => !Graph.IsByzantine(j)).ToArray();
        bool metropolis = _topology.Mixing is PeerMixing.Gossip or PeerMixing.ClippedGossip;
        var view = new float[(honestNeighbours.Length + 1) * d];
        var weights = new float[honestNeighbours.Length + 1];
        weights[0] = metropolis ? (float)Graph.SelfWeight(target) : 1f;
        for (int r = 0; r < honestNeighbours.Length; r++)
        {
            int j = honestNeighbours[r];
            var row = view.AsSpan((r + 1) * d, d);
            System.Numerics.Tensors.TensorPrimitives.Subtract(Sent(j).Span, own, row);
            weights[r + 1] = metropolis ? (float)Graph.Weight(target, j) : 1f;
        }

        var output = new float[byzantine.Length * d];
        var context = new AttackContext
        {
            Round = round,
            Seed = Seed.Derive(_setup.Seed, "attack", round, target),
            TotalClients = Graph.Neighbours[target].Length + 1,
            ByzantineCount = byzantine.Length,
            Dimension = d,
            Parameters = own,
            HonestUpdates = _setup.Threat.Omniscient ? new RowMatrix(view, honestNeighbours.Length + 1, d) : default,
            HonestIds = _setup.Threat.Omniscient ? (int[])[target, .. honestNeighbours] : [],
            State = _attackStates[target],
            HonestWeights = metropolis ? weights : [],
            ByzantineWeight = metropolis ? byzantine.Sum(b => Graph.Weight(target, b)) : 0,
        };
        _attackStates[target] = attack.Craft(context, output);
        int length = attack.Delivery == AttackDelivery.WrongLength ? d - 1 : d;
        return [.. Enumerable.Range(0, byzantine.Length).Select(k =>
        {
            var message = new float[length];
            for (int c = 0; c < length; c++)
            {
                message[c] = own[c] + output[(k * d) + c]; // back from i's frame: x_i' + crafted difference
            }

            return message;
        })];
    }

    // Bristle's countPerPeer: the classes of its own samples that honest peer `peer` shares with
    // `sender`; a Byzantine sender claims all of them (the reference's assumption, the strongest attack).
    private int SharedClasses(int peer, int sender)
    {
        var evaluation = _transfer!.Evaluation;
        var mine = evaluation[peer].Familiar;
        return sender >= evaluation.Length ? mine.Count : mine.Intersect(evaluation[sender].Familiar).Count();
    }

    // What an honest peer sends: its model, or its output layer with transfer learning.
    private ReadOnlyMemory<float> Sent(int peer) => _models[peer].AsMemory(_offset, Exchanged);

    private bool Mix(int round, int peer, List<ReadOnlyMemory<float>> rows, List<int> senders, Span<float> destination)
    {
        var own = Sent(peer).Span;
        int d = Exchanged;
        if (_topology.Mixing != PeerMixing.Aggregator)
        {
            var matrix = new float[rows.Count * d];
            for (int r = 0; r < rows.Count; r++)
            {
                rows[r].Span.CopyTo(matrix.AsSpan(r * d, d));
            }

            if (_topology.Mixing == PeerMixing.Bristle)
            {
                var options = _topology.Bristle!;
                var all = new RowMatrix(matrix, rows.Count, d);
                var chosen = BristlePrioritizer.Select(own, all, options.Alpha, options.Candidates, Seed.Derive(_setup.Seed, "bristle", round, peer));
                var selected = new float[chosen.Length * d];
                for (int r = 0; r < chosen.Length; r++)
                {
                    all[chosen[r]].CopyTo(selected.AsSpan(r * d, d));
                }

                var evaluation = _transfer!.Evaluation;
                int[] shared = options.SharedClasses ? [.. chosen.Select(r => SharedClasses(peer, senders[r]))] : [];
                var given = new List<BristleSenderWeight>(chosen.Length);
                BristleIntegrator.Integrate(own, new RowMatrix(selected, chosen.Length, d), evaluation[peer], destination, shared, given);
                foreach (var weight in given)
                {
                    int sender = senders[chosen[weight.Row]];
                    _bristleWeights.Add(new BristleWeightRecord(round, peer, sender, Graph.IsByzantine(sender), weight));
                }
                return true;
            }

            var weights = senders.Select(j => Graph.Weight(peer, j)).ToArray();
            double? radius = _topology.Mixing == PeerMixing.Gossip ? double.PositiveInfinity : _topology.ClipRadius;
            ClippedGossip.Mix(own, new RowMatrix(matrix, rows.Count, d), weights, radius, destination);
            return true;
        }

        // Row 0 is the peer's own model, then its neighbours' in id order (a rule that trusts input 0 trusts itself).
        var inputs = new float[(rows.Count + 1) * d];
        own.CopyTo(inputs);
        for (int r = 0; r < rows.Count; r++)
        {
            rows[r].Span.CopyTo(inputs.AsSpan((r + 1) * d, d));
        }

        if (!_pipeline.Accepts(rows.Count + 1))
        {
            return false;
        }

        try
        {
            var context = new AggregationContext(round, Seed.Derive(_setup.Seed, "aggregation", round, peer), _ruleStates[peer])
            {
                Clients = (int[])[peer, .. senders],
            };
            _ruleStates[peer] = AggregatorState.Replace(_ruleStates[peer], _pipeline.Aggregate(new RowMatrix(inputs, rows.Count + 1, d), destination, context));
            return true;
        }
        catch (AggregationException)
        {
            return false;
        }
    }

    private static bool IsFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One message a Byzantine peer sent an honest neighbour, summarised (the vectors themselves are model-sized).</summary>
/// <param name="Round">The round.</param>
/// <param name="From">The Byzantine sender.</param>
/// <param name="To">The honest receiver.</param>
/// <param name="Norm">The vector's L2 norm (NaN/Inf as computed).</param>
/// <param name="Distance">Its L2 distance to the receiver's own model of that round.</param>
/// <param name="Fingerprint">FNV-1a 64 hash of the vector's bytes: equal fingerprints mean equal vectors, in practice.</param>
public sealed record PeerMessageRecord(int Round, int From, int To, double Norm, double Distance, ulong Fingerprint)
{
    /// <summary>The record of <paramref name="message"/> sent to a peer whose model is <paramref name="receiver"/>.</summary>
    public static PeerMessageRecord Of(int round, int from, int to, ReadOnlySpan<float> message, ReadOnlySpan<float> receiver)
    {
        double norm = 0, distance = 0;
        ulong hash = 14695981039346656037UL;
        for (int k = 0; k < message.Length; k++)
        {
            norm += (double)message[k] * message[k];
            if (k < receiver.Length)
            {
                double delta = (double)message[k] - receiver[k];
                distance += delta * delta;
            }

            uint bits = BitConverter.SingleToUInt32Bits(message[k]);
            for (int b = 0; b < 4; b++)
            {
                hash = (hash ^ ((bits >> (8 * b)) & 0xFF)) * 1099511628211UL;
            }
        }

        return new PeerMessageRecord(round, from, to, Math.Sqrt(norm), Math.Sqrt(distance), hash);
    }
}

/// <summary>The weights Bristle's integrator gave one selected sender when mixing one honest peer's output layer.</summary>
/// <param name="Round">The round.</param>
/// <param name="Peer">The honest receiver.</param>
/// <param name="Sender">The sender whose layer was selected.</param>
/// <param name="Byzantine">True when the sender is Byzantine.</param>
/// <param name="Weight">The integrator's figures for the sender's layer.</param>
public sealed record BristleWeightRecord(int Round, int Peer, int Sender, bool Byzantine, BristleSenderWeight Weight);
