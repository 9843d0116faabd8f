using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Clients.Compression;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Partitioning;
using ByzantineSim.Clients.Training;

namespace ByzantineSim.Simulator.Setup;

/// <summary>
/// Everything one run needs, fully resolved and validated. Clients 0 .. Honest-1 are honest;
/// Byzantine identities take the ids Honest .. Honest+Byzantine-1 (as in ByzFL, Byzantine
/// vectors come after the honest ones when the server orders updates by id).
/// </summary>
/// <param name="RunId">Stable id of the run.</param>
/// <param name="Seed">Root seed; every random stream of the run is derived from it.</param>
/// <param name="Data">The data set.</param>
/// <param name="Partitioner">How training samples are split among all clients.</param>
/// <param name="Model">The model architecture.</param>
/// <param name="HonestClients">Number of honest clients.</param>
/// <param name="ByzantineClients">Number of Byzantine clients f.</param>
/// <param name="Training">Optimisation settings.</param>
/// <param name="CreatePipeline">
/// Builds a fresh aggregation pipeline; the server and an aggregator-aware coalition each get
/// their own instance, since pipelines hold scratch buffers.
/// </param>
/// <param name="Attack">What the Byzantine clients do.</param>
/// <param name="Threat">What the Byzantine coalition may know.</param>
/// <param name="Server">Server-side robustness settings.</param>
/// <param name="Faults">Benign faults of honest clients (crash-stop, stragglers, message loss).</param>
public sealed record RunSetup(
    string RunId,
    ulong Seed,
    IDatasetSource Data,
    IPartitioner Partitioner,
    IModelDefinition Model,
    int HonestClients,
    int ByzantineClients,
    TrainingSettings Training,
    Func<AggregationPipeline> CreatePipeline,
    IAttack Attack,
    ThreatModel Threat,
    ServerSettings Server,
    Faults.FaultSettings Faults)
{
    /// <summary>Total number of clients n.</summary>
    public int TotalClients => HonestClients + ByzantineClients;

    /// <summary>How honest clients compress their updates. <value>none</value></summary>
    public ICompressor Compressor { get; init; } = NoCompression.Instance;

    /// <summary>Client-side differential privacy, or null. <value>null</value></summary>
    public ClientPrivacy? Privacy { get; init; }

    /// <summary>The server's own data set, on which it computes its update each round (FLTrust), or null. <value>null</value></summary>
    public ServerDataSettings? ServerData { get; init; }

    /// <summary>
    /// The peer-to-peer graph and mixing rule, or null for the star (one server). With a topology
    /// the clients are peers: no server, each honest peer mixes with its neighbours. <value>null</value>
    /// </summary>
    public Peers.TopologySettings? Topology { get; init; }

    /// <summary>
    /// Asynchronous training in simulated time (FedAsync or FedBuff), or null for synchronous
    /// rounds. With it, one <see cref="Asynchrony.AsyncServerActor"/> runs the run. <value>null</value>
    /// </summary>
    public Asynchrony.AsynchronySettings? Asynchrony { get; init; }

    /// <summary>Where the trainers compute (the spec's <c>device</c>). <value>Cpu</value></summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Which clients are Byzantine in each round. <value>fixed: the last f ids</value></summary>
    public IdentitySettings Identities { get; init; } = IdentitySettings.Fixed;

    /// <summary>
    /// Builds the pipeline for a given number of Byzantine clients, when the server is told a
    /// count that changes from round to round (<see cref="IdentitySettings.ServerKnowsCount"/>
    /// with a random fraction), or null. <value>null</value>
    /// </summary>
    public Func<int, AggregationPipeline>? CreatePipelineFor { get; init; }

    /// <summary>Honest clients with degraded data, or null. <value>null</value></summary>
    public UnreliableSettings? Unreliable { get; init; }

    /// <summary>
    /// Uniform label noise added to the clients' training data (alpha randomly labelled copies per
    /// clean example; Rolnick et al. 2017), or null. <value>null</value>
    /// </summary>
    public LabelDilution? LabelDilution { get; init; }
}

/// <summary>Optimisation settings: D-SGD by default, local SGD / FedAvg through the init-only properties.</summary>
/// <param name="Rounds">Number of rounds T.</param>
/// <param name="BatchSize">Minibatch size of each client's gradient.</param>
/// <param name="LearningRate">Step-size schedule.</param>
/// <param name="WeightDecay">L2 coefficient added to the aggregate at the server.</param>
/// <param name="WorkerMomentum">beta of worker momentum (0 disables it).</param>
/// <param name="MomentumForm">Average (ByzFL) or sum (EPFL-ML) form.</param>
/// <param name="ServerMomentum">Heavy-ball momentum on the aggregate at the server (0 disables it).</param>
/// <param name="EvalEvery">Evaluate on the test set every this many rounds (and after the last).</param>
public sealed record TrainingSettings(
    int Rounds,
    int BatchSize,
    LearningRateSchedule LearningRate,
    double WeightDecay,
    double WorkerMomentum,
    MomentumForm MomentumForm,
    double ServerMomentum,
    int EvalEvery)
{
    /// <summary>Gradient (D-SGD) or local steps (FedAvg). <value>Gradient</value></summary>
    public LocalMode Algorithm { get; init; } = LocalMode.Gradient;

    /// <summary>The default of <see cref="LocalSteps"/>, which the spec reader's defaults use too.</summary>
    public const int DefaultLocalSteps = 1;

    /// <summary>The default of <see cref="LocalLearningRate"/>.</summary>
    public const double DefaultLocalLearningRate = 0.1;

    /// <summary>The default of <see cref="Participation"/>: everyone.</summary>
    public const double DefaultParticipation = 1.0;

    /// <summary>Local SGD steps per round (FedAvg). <value>1</value></summary>
    public int LocalSteps { get; init; } = DefaultLocalSteps;

    /// <summary>Clients' local step size (FedAvg). <value>0.1</value></summary>
    public double LocalLearningRate { get; init; } = DefaultLocalLearningRate;

    /// <summary>Client-side gradient clipping bound per step; 0 disables it. <value>0</value></summary>
    public double ClipNorm { get; init; }

    /// <summary>Label smoothing epsilon of the clients' training loss (classification); 0 is plain cross-entropy. <value>0</value></summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Share of all clients sampled each round. <value>1 (everyone)</value></summary>
    public double Participation { get; init; } = DefaultParticipation;

    /// <summary>
    /// FedAvg clients send their local model instead of the delta, and the server's new model is
    /// the aggregate of the models (the server step is then skipped). <value>false</value>
    /// </summary>
    public bool SendModel { get; init; }

    /// <summary>
    /// How the server weights the updates it aggregates: equally, or each by its client's number
    /// of training samples (sample-size-weighted FedAvg; only rules with a weighted form).
    /// <value>None</value>
    /// </summary>
    public UpdateWeighting Weighting { get; init; } = UpdateWeighting.None;

    /// <summary>Crop and flip of honest clients' training samples (never of evaluation). <value>none</value></summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>How many of <paramref name="clients"/> take part in a round.</summary>
    public int ParticipantsPerRound(int clients) => ParticipantsPerRound(Participation, clients);

    /// <summary>How many of <paramref name="clients"/> take part in a round at <paramref name="participation"/>.</summary>
    public static int ParticipantsPerRound(double participation, int clients) =>
        Math.Clamp((int)Math.Round(participation * clients), 1, clients);
}

/// <summary>How the server weights the updates of a round in the aggregation.</summary>
public enum UpdateWeighting
{
    /// <summary>Every update counts the same (the rule as defined). The default.</summary>
    None,

    /// <summary>
    /// Each update counts in proportion to its client's number of training samples (FedAvg's
    /// n_k / n, McMahan et al. 2017). A Byzantine identity claims the size of its own share of
    /// the data, or, when it has none (partition.byzantine_data: false), the honest clients' mean.
    /// </summary>
    Samples,
}

/// <summary>Step schedule: lr(t) = initial * gamma^(number of milestones &lt;= t).</summary>
/// <param name="Initial">Learning rate at round 0.</param>
/// <param name="Milestones">Rounds at which the rate is multiplied by <paramref name="Gamma"/>.</param>
/// <param name="Gamma">Decay factor.</param>
public sealed record LearningRateSchedule(double Initial, ImmutableArray<int> Milestones, double Gamma)
{
    /// <summary>A constant rate.</summary>
    public static LearningRateSchedule Constant(double rate) => new(rate, [], 1.0);

    /// <summary>The rate at round <paramref name="round"/>.</summary>
    public double At(int round) => Initial * Math.Pow(Gamma, Milestones.Count(m => m <= round));
}

/// <summary>What the Byzantine coalition may know.</summary>
/// <param name="Omniscient">Sees every honest update of the round before answering (the papers' default).</param>
/// <param name="KnowsAggregator">Knows the server's aggregation pipeline.</param>
public sealed record ThreatModel(bool Omniscient, bool KnowsAggregator)
{
    /// <summary>The default: omniscient, and aware of the aggregator.</summary>
    public static ThreatModel Default { get; } = new(DefaultOmniscient, DefaultKnowsAggregator);

    /// <summary>The default of <see cref="Omniscient"/> (the papers' rushing adversary), which the spec reader's defaults use too.</summary>
    public const bool DefaultOmniscient = true;

    /// <summary>The default of <see cref="KnowsAggregator"/>.</summary>
    public const bool DefaultKnowsAggregator = true;

    /// <summary>Knowledge this threat model grants.</summary>
    public AttackKnowledge Grants =>
        AttackKnowledge.OwnGradients
        | (Omniscient ? AttackKnowledge.HonestUpdates : AttackKnowledge.None)
        | (KnowsAggregator ? AttackKnowledge.Aggregator : AttackKnowledge.None);
}

/// <summary>What the server does with updates that are not usable as they are.</summary>
public enum NonFinitePolicy
{
    /// <summary>Pass NaN/Inf updates to the rule, as the papers do; robust rules must cope, mean is poisoned.</summary>
    Pass,

    /// <summary>Drop updates with a non-finite coordinate before aggregation.</summary>
    Exclude,
}

/// <summary>Server settings.</summary>
/// <param name="RoundTimeout">
/// Wall-clock safety deadline of a round. Simulated faults (silence, crashes) are resolved
/// without waiting for it; it only bounds real failures.
/// </param>
/// <param name="NonFinite">Policy for updates with NaN or Inf coordinates.</param>
/// <param name="Deadline">
/// The round's deadline in simulated seconds: updates whose simulated arrival (see
/// <see cref="Faults.FaultPlan"/>) is later are excluded as late. +Infinity: no deadline.
/// </param>
public sealed record ServerSettings(TimeSpan RoundTimeout, NonFinitePolicy NonFinite, double Deadline = double.PositiveInfinity)
{
    /// <summary>Defaults: 60 s safety deadline, non-finite updates passed to the rule, no simulated deadline.</summary>
    public static ServerSettings Default { get; } = new(TimeSpan.FromSeconds(DefaultRoundTimeoutSeconds), DefaultNonFinite);

    /// <summary>The default of <see cref="RoundTimeout"/> in seconds, which the spec reader's defaults use too.</summary>
    public const double DefaultRoundTimeoutSeconds = 60;

    /// <summary>The default of <see cref="NonFinite"/>: as the papers do.</summary>
    public const NonFinitePolicy DefaultNonFinite = NonFinitePolicy.Pass;
}
