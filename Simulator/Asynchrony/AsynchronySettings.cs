using ByzantineSim.Simulator.Faults;

namespace ByzantineSim.Simulator.Asynchrony;

/// <summary>How the server applies updates that arrive at different simulated times.</summary>
public enum AsyncMode
{
    /// <summary>
    /// Each update as it arrives: x_t = (1 - a_t) x_{t-1} + a_t x_new with a_t = alpha s(t - tau)
    /// (Xie, Koyejo, Gupta 2019, "Asynchronous Federated Optimization", arXiv 1903.03934, Alg. 1).
    /// </summary>
    FedAsync,

    /// <summary>
    /// Per buffer of K updates: the server aggregates K (optionally staleness-weighted) deltas and
    /// steps with its learning rate (Nguyen et al., "Federated Learning with Buffered Asynchronous
    /// Aggregation", AISTATS 2022, arXiv 2106.06639, Alg. 1). Any registered rule aggregates the buffer.
    /// </summary>
    FedBuff,

    /// <summary>
    /// Synchronous rounds timed in simulated seconds: every client starts each step on the newest
    /// model and the step waits for the slowest (K = n, no staleness). The aggregation is the
    /// synchronous round's, so this is the baseline the asynchronous modes are timed against.
    /// </summary>
    Sync,
}

/// <summary>The staleness functions s of FedAsync (Xie et al. 2019, Sec. 5.2).</summary>
public enum StalenessKind
{
    /// <summary>s = 1.</summary>
    Constant,

    /// <summary>s(u) = (u + 1)^-a; with a = 0.5 it is FedBuff's weight 1/sqrt(1 + u).</summary>
    Polynomial,

    /// <summary>s(u) = 1 when u &lt;= b, else 1 / (a (u - b) + 1).</summary>
    Hinge,
}

/// <summary>
/// A staleness function s(u) of the staleness u = (server version when the update is applied) -
/// (version the client trained on), 0 for an update trained on the newest model (as APPFL's
/// FedAsync and FedBuff aggregators count it: global step minus the client's step).
/// </summary>
/// <param name="Kind">Constant, polynomial or hinge.</param>
/// <param name="A">a of the polynomial and hinge forms (unused for constant).</param>
/// <param name="B">b of the hinge form (unused otherwise).</param>
public sealed record StalenessFunction(StalenessKind Kind, double A, double B)
{
    /// <summary>s = 1: staleness is ignored.</summary>
    public static StalenessFunction Constant { get; } = new(StalenessKind.Constant, 0, 0);

    /// <summary>s(<paramref name="staleness"/>), in (0, 1].</summary>
    public double Weight(int staleness) => Kind switch
    {
        StalenessKind.Constant => 1,
        StalenessKind.Polynomial => Math.Pow(staleness + 1.0, -A),
        StalenessKind.Hinge => staleness <= B ? 1 : 1 / ((A * (staleness - B)) + 1),
        _ => throw new InvalidOperationException($"unknown staleness function {Kind}"),
    };
}

/// <summary>What Byzantine clients do with time (how they exploit staleness).</summary>
public enum ByzantineTiming
{
    /// <summary>They follow their own compute and latency draws, as honest clients do, and craft from the model they were sent.</summary>
    Scheduled,

    /// <summary>
    /// Crafted late: at their scheduled arrival they craft from the newest model (they fetched it
    /// just before sending), so the server sees staleness 0 and gives them the full weight.
    /// </summary>
    Fresh,

    /// <summary>Deliberately stale: they craft from a model <c>lag</c> versions older than the newest (or the first), dragging the model back.</summary>
    Stale,
}

/// <summary>
/// Asynchronous training in simulated time (the spec's <c>asynchrony</c>). Every client trains,
/// sends, and at once starts again on the server's newest model; a job takes compute + latency
/// simulated seconds, each drawn per job from the client's stream and scaled by the client's own
/// speed factor (drawn once, uniform in [1, spread]). <see cref="ArrivalSchedule"/> turns this
/// into the run's arrival order before any training, so results never depend on wall-clock time.
/// </summary>
/// <param name="Mode">FedAsync or FedBuff.</param>
/// <param name="Buffer">FedBuff's K (updates per server step); 1 for FedAsync; n for Sync.</param>
/// <param name="Mixing">FedAsync's alpha in (0, 1]; 1 for FedBuff.</param>
/// <param name="Staleness">FedAsync: a_t = alpha s(u); FedBuff: each buffered update is scaled by s(u).</param>
/// <param name="Compute">Distribution of one job's compute time.</param>
/// <param name="Latency">Distribution of one job's network latency (download and upload together).</param>
/// <param name="Seed">Root of the schedule's random streams (default: the run's seed).</param>
public sealed record AsynchronySettings(
    AsyncMode Mode, int Buffer, double Mixing, StalenessFunction Staleness, DelayDistribution Compute, DelayDistribution Latency, ulong Seed)
{
    /// <summary>Per-client speed factor of compute times: uniform in [1, ComputeSpread], drawn once per client. <value>1</value></summary>
    public double ComputeSpread { get; init; } = 1;

    /// <summary>Per-client factor of latencies, as <see cref="ComputeSpread"/>. <value>1</value></summary>
    public double LatencySpread { get; init; } = 1;

    /// <summary>How Byzantine clients time their updates. <value>scheduled</value></summary>
    public ByzantineTiming ByzantineTiming { get; init; } = ByzantineTiming.Scheduled;

    /// <summary>For <see cref="ByzantineTiming.Stale"/>: how many versions behind the newest model they craft from. <value>0</value></summary>
    public int ByzantineLag { get; init; }
}
