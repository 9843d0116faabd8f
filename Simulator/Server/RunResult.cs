namespace ByzantineSim.Simulator.Server;

/// <summary>
/// Everything a finished run reports. The deterministic part (rounds, evaluations, clients)
/// depends only on the run's spec and seed; the timing fields vary with the machine.
/// </summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Dimension">Number of model parameters d.</param>
/// <param name="Rounds">One row per round.</param>
/// <param name="Evaluations">One row per evaluation (round 0 is the initial model).</param>
/// <param name="Clients">Per-client data and participation.</param>
/// <param name="Elapsed">Wall-clock duration.</param>
/// <remarks><see cref="HasValidation"/> tells whether the evaluations include a validation set.</remarks>
public sealed record RunResult(
    string RunId,
    int Dimension,
    ImmutableArray<RoundRecord> Rounds,
    ImmutableArray<EvaluationRecord> Evaluations,
    ImmutableArray<ClientRecord> Clients,
    TimeSpan Elapsed)
{
    /// <summary>The last evaluation.</summary>
    public EvaluationRecord Final => Evaluations[^1];

    /// <summary>True when the run held out a validation set.</summary>
    public bool HasValidation { get; init; }

    /// <summary>True when the run's attack is targeted, so every evaluation measured its success rate.</summary>
    public bool HasAttackSuccess { get; init; }

    /// <summary>True for a peer-to-peer run: evaluations carry the spread over honest peers and the consensus distance.</summary>
    public bool PeerToPeer { get; init; }

    /// <summary>True for an asynchronous run: rounds are server steps, and evaluations carry the simulated time of their step.</summary>
    public bool Asynchronous { get; init; }

    /// <summary>Asynchronous runs: every applied arrival, in order (empty otherwise).</summary>
    public ImmutableArray<Asynchrony.ArrivalRecord> Arrivals { get; init; } = [];

    /// <summary>Asynchronous runs: the most model versions the server held at once (the newest and the stale ones still trained on).</summary>
    public int MostVersionsHeld { get; init; }

    /// <summary>Peer-to-peer runs: every message a Byzantine peer sent an honest neighbour (empty otherwise).</summary>
    public ImmutableArray<Peers.PeerMessageRecord> Messages { get; init; } = [];

    /// <summary>Bristle runs: the integrator's weight for every selected sender, round by round (empty otherwise).</summary>
    public ImmutableArray<Peers.BristleWeightRecord> BristleWeights { get; init; } = [];
}

/// <summary>What happened in one round.</summary>
/// <param name="Round">Zero-based round.</param>
/// <param name="TrainLoss">Mean minibatch loss of the honest clients.</param>
/// <param name="Aggregated">Updates passed to the aggregation pipeline.</param>
/// <param name="Rejected">Updates dropped by the server's checks (wrong length, non-finite under the exclude policy, failures of a client or of the attack).</param>
/// <param name="Missing">Participants whose update did not arrive in time (silent, crashed, lost, past the deadline).</param>
/// <param name="AggregationFailed">The pipeline refused the inputs (too few for its condition); theta was kept.</param>
/// <param name="TrainSeconds">Wall-clock time from the round's start until the last reply.</param>
/// <param name="AggregationSeconds">Wall-clock time of aggregation and the SGD step.</param>
public sealed record RoundRecord(
    int Round,
    double TrainLoss,
    int Aggregated,
    int Rejected,
    int Missing,
    bool AggregationFailed,
    double TrainSeconds,
    double AggregationSeconds)
{
    /// <summary>Wall-clock time since the run started, when this round closed.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>Trainer time of the honest clients' updates (wall clock, summed over clients).</summary>
    public double ComputeSeconds { get; init; }

    /// <summary>Time of the attack: the Byzantine identities' own training plus crafting.</summary>
    public double AttackSeconds { get; init; }

    /// <summary>The crafting part of <see cref="AttackSeconds"/> (serial: it waits for the honest updates, and the round for it).</summary>
    public double CraftingSeconds { get; init; }

    /// <summary>Participants sampled this round (n at full participation).</summary>
    public int Sampled { get; init; }

    /// <summary>Bits the honest clients uploaded this round.</summary>
    public long BitsSent { get; init; }

    /// <summary>Of <see cref="Missing"/>: crash-stopped clients (simulated fault).</summary>
    public int Crashed { get; init; }

    /// <summary>Of <see cref="Missing"/>: updates lost in transit (simulated fault).</summary>
    public int Lost { get; init; }

    /// <summary>Of <see cref="Rejected"/>: Byzantine identities that sent nothing because the attack threw.</summary>
    public int AttackFailed { get; init; }

    /// <summary>What the attack threw this round (type and message), or null.</summary>
    public string? AttackFailure { get; init; }

    /// <summary>
    /// Honest updates lost to the machine rather than to a simulated fault: a computation that
    /// threw, or no reply within the wall-clock <c>server.round_timeout</c>. Of <see cref="Rejected"/>
    /// and <see cref="Missing"/>. Any makes the run's results depend on more than its spec and seed.
    /// </summary>
    public int LostHonest { get; init; }

    /// <summary>Why the first of <see cref="LostHonest"/> was lost ("client 2: ..."), or null.</summary>
    public string? LostHonestReason { get; init; }

    /// <summary>The exception in full behind <see cref="LostHonestReason"/> when it was one, or null.</summary>
    public string? LostHonestTrace { get; init; }

    /// <summary>Of <see cref="Missing"/>: updates past the simulated deadline.</summary>
    public int Straggled { get; init; }

    /// <summary>When the round closed in simulated time (deterministic).</summary>
    public double SimulatedSeconds { get; init; }

    /// <summary>What a detecting rule concluded this round, or null when the rule does not detect or its aggregation failed.</summary>
    public RoundDetection? Detection { get; init; }
}

/// <summary>
/// A detecting rule's verdicts of one round, against the ground truth only the simulator knows
/// (which ids are Byzantine), over the rows the rule saw: a Byzantine identity whose update was
/// missing or rejected is no false negative.
/// </summary>
/// <param name="Flagged">Client ids flagged as malicious, ascending.</param>
/// <param name="Unreliable">Client ids flagged as benign but unreliable, ascending.</param>
/// <param name="TruePositives">Flagged Byzantine clients.</param>
/// <param name="FalsePositives">Flagged honest clients.</param>
/// <param name="FalseNegatives">Byzantine clients the rule saw and did not flag.</param>
public sealed record RoundDetection(ImmutableArray<int> Flagged, ImmutableArray<int> Unreliable, int TruePositives, int FalsePositives, int FalseNegatives)
{
    /// <summary>
    /// The detection of one aggregation: <paramref name="verdicts"/> name rows of
    /// <paramref name="clients"/>; ids at or above <paramref name="honestClients"/> are Byzantine.
    /// </summary>
    public static RoundDetection Of(IReadOnlyList<(int Row, Aggregators.Verdict Verdict)> verdicts, IReadOnlyList<int> clients, int honestClients) =>
        Of(verdicts, clients, id => id >= honestClients);

    /// <summary>
    /// The detection of one aggregation: <paramref name="verdicts"/> name rows of
    /// <paramref name="clients"/>; <paramref name="isByzantine"/> is the round's ground truth
    /// (which clients the adversary controlled in it).
    /// </summary>
    public static RoundDetection Of(IReadOnlyList<(int Row, Aggregators.Verdict Verdict)> verdicts, IReadOnlyList<int> clients, Func<int, bool> isByzantine)
    {
        var malicious = verdicts.Where(v => v.Verdict == Aggregators.Verdict.Malicious).Select(v => clients[v.Row]).ToImmutableSortedSet();
        var unreliable = verdicts.Where(v => v.Verdict == Aggregators.Verdict.Unreliable).Select(v => clients[v.Row]).ToImmutableSortedSet();
        int truePositives = malicious.Count(isByzantine);
        int byzantineSeen = clients.Count(isByzantine);
        return new RoundDetection([.. malicious], [.. unreliable], truePositives, malicious.Count - truePositives, byzantineSeen - truePositives);
    }
}

/// <summary>One evaluation of the global model on the test set.</summary>
/// <param name="Round">Rounds completed when the model was evaluated (0: the initial model).</param>
/// <param name="TrainLoss">Mean honest minibatch loss over the rounds since the previous evaluation (NaN at round 0).</param>
/// <param name="TestAccuracy">Test accuracy.</param>
/// <param name="TestLoss">Mean test cross-entropy.</param>
/// <param name="EvaluationSeconds">Wall-clock time of the evaluation.</param>
/// <param name="ElapsedSeconds">Wall-clock time since the run started, when this round closed.</param>
public sealed record EvaluationRecord(
    int Round,
    double TrainLoss,
    double TestAccuracy,
    double TestLoss,
    double EvaluationSeconds,
    double ElapsedSeconds)
{
    /// <summary>Validation accuracy (NaN without a validation set).</summary>
    public double ValidationAccuracy { get; init; } = double.NaN;

    /// <summary>Validation loss (NaN without a validation set).</summary>
    public double ValidationLoss { get; init; } = double.NaN;

    /// <summary>Peer-to-peer runs: the lowest test accuracy of an honest peer's model (NaN otherwise; <see cref="TestAccuracy"/> is then their mean).</summary>
    public double PeerAccuracyMin { get; init; } = double.NaN;

    /// <summary>Peer-to-peer runs: the highest test accuracy of an honest peer's model (NaN otherwise).</summary>
    public double PeerAccuracyMax { get; init; } = double.NaN;

    /// <summary>Peer-to-peer runs: each honest peer's test accuracy, in peer id order (empty otherwise).</summary>
    public ImmutableArray<double> PeerAccuracies { get; init; } = [];

    /// <summary>Peer-to-peer runs: the honest peers' consensus distance (1/|H|) sum_i |x_i - mean x|^2 (NaN otherwise).</summary>
    public double ConsensusDistance { get; init; } = double.NaN;

    /// <summary>
    /// Attack success rate: the share of poisoned test samples (trigger stamped, or of a source
    /// class; true label not the target) classified as the attacker's label (NaN without a
    /// targeted attack).
    /// </summary>
    public double AttackSuccessRate { get; init; } = double.NaN;
}

/// <summary>A client's data and how its replies fared over the run.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Byzantine">Whether it is a Byzantine identity.</param>
/// <param name="ClassHistogram">Its training samples per class.</param>
/// <param name="Outcomes">Count of each reply outcome over all rounds.</param>
public sealed record ClientRecord(
    int ClientId,
    bool Byzantine,
    ImmutableArray<int> ClassHistogram,
    ImmutableSortedDictionary<ReplyOutcome, int> Outcomes)
{
    /// <summary>
    /// Its role: <c>honest</c>, <c>unreliable</c> (degraded data or noisy labels) or
    /// <c>byzantine:group</c>; when identities change, what it is when honest. <value>empty</value>
    /// </summary>
    public string Role { get; init; } = "";

    /// <summary>Rounds in which the adversary controlled it (every round for a fixed Byzantine identity). <value>0</value></summary>
    public int ByzantineRounds { get; init; }

    /// <summary>Count of one outcome.</summary>
    public int Count(ReplyOutcome outcome) => Outcomes.GetValueOrDefault(outcome);
}

/// <summary>Progress of a run, reported after every round.</summary>
/// <param name="RunId">The run.</param>
/// <param name="RoundsCompleted">Rounds done.</param>
/// <param name="TotalRounds">Rounds planned.</param>
/// <param name="LastAccuracy">Most recent test accuracy (NaN before the first evaluation).</param>
public sealed record RunProgress(string RunId, int RoundsCompleted, int TotalRounds, double LastAccuracy);
