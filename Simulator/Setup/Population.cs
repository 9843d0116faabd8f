using ByzantineSim.Clients.Data;

namespace ByzantineSim.Simulator.Setup;

/// <summary>How the set of Byzantine clients evolves over a run.</summary>
public enum IdentityMode
{
    /// <summary>The same f clients (the last ids) in every round. The default.</summary>
    Fixed,

    /// <summary>
    /// Every <see cref="IdentitySettings.Period"/> rounds the adversary moves on to the next f
    /// clients of a seeded random order of all clients (wrapping around): the set changes at
    /// every period boundary, and every client is Byzantine for its share of the run.
    /// </summary>
    Rotating,

    /// <summary>A fresh set every round: <see cref="IdentitySettings.Count"/> clients, or each client with probability <see cref="IdentitySettings.Fraction"/>.</summary>
    Random,
}

/// <summary>
/// Which clients the adversary controls in each round (switching Byzantine workers, Dorfman,
/// Yehya, Levy, "Dynamic Byzantine-Robust Learning: Adapting to Switching Byzantine Workers",
/// ICML 2024, arXiv 2402.02951). Outside <see cref="IdentityMode.Fixed"/>, every client holds
/// data and trains honestly in the rounds it is not Byzantine; its honest state (momentum,
/// compression residual) waits untouched while the coalition speaks for it.
/// </summary>
/// <param name="Mode">Fixed, rotating or random.</param>
/// <param name="Period">Rounds between two draws (rotating).</param>
/// <param name="Count">Byzantine clients per round (rotating: f; random: the count, 0 with a fraction).</param>
/// <param name="Fraction">Probability that a client is Byzantine in a round (random with a fraction; 0 otherwise).</param>
/// <param name="ServerKnowsCount">
/// The server's rule is told each round's actual number of Byzantine clients (rather than the
/// spec's f); only a random fraction makes the two differ.
/// </param>
public sealed record IdentitySettings(IdentityMode Mode, int Period, int Count, double Fraction, bool ServerKnowsCount)
{
    /// <summary>The default: the last f ids, always.</summary>
    public static IdentitySettings Fixed { get; } = new(IdentityMode.Fixed, 0, 0, 0, true);

    /// <summary>True when the Byzantine set can differ from round to round.</summary>
    public bool Changes => Mode != IdentityMode.Fixed;

    /// <summary>
    /// The Byzantine clients of round <paramref name="round"/>, in id order, among
    /// <paramref name="totalClients"/> clients of which <paramref name="byzantine"/> are Byzantine
    /// in the fixed mode. A pure function of <paramref name="seed"/> (the run's) and the round
    /// (rotating: of its period's index).
    /// </summary>
    public ImmutableArray<int> At(int round, int totalClients, int byzantine, ulong seed)
    {
        switch (Mode)
        {
            case IdentityMode.Fixed:
                return [.. Enumerable.Range(totalClients - byzantine, byzantine)];
            case IdentityMode.Rotating:
                // A window of f ids sliding by f along one seeded permutation of the clients:
                // consecutive periods never share a client (2f < n), and every client takes its turn.
                var order = Enumerable.Range(0, totalClients).ToArray();
                new DeterministicRandom(Seed.Derive(seed, "byzantine-identities")).FisherYates(order.AsSpan());
                long first = (long)(round / Period) * Count;
                return [.. Enumerable.Range(0, Count).Select(k => order[(int)((first + k) % totalClients)]).Order()];
            default:
                var stream = Seed.Derive(seed, "byzantine-identities", round);
                if (Fraction <= 0)
                {
                    return Draw(stream, totalClients, Count);
                }

                var random = new DeterministicRandom(stream);
                return [.. Enumerable.Range(0, totalClients).Where(_ => random.NextDouble() < Fraction)];
        }
    }

    private static ImmutableArray<int> Draw(ulong stream, int totalClients, int count)
    {
        var ids = Enumerable.Range(0, totalClients).ToArray();
        new DeterministicRandom(stream).FisherYates(ids.AsSpan());
        return [.. ids[..count].Order()];
    }
}

/// <summary>
/// Honest but unreliable clients: benign clients whose training data is of low quality
/// (MUD-HoG's setting, Gupta, Luo, Ngo, Das, arXiv 2208.10273). Which clients they are is drawn
/// at random (seeded) among the clients that are honest in the fixed mode (all clients when
/// identities change).
/// </summary>
/// <param name="Count">How many clients are unreliable (0 when <paramref name="Fraction"/> says it).</param>
/// <param name="Fraction">Share of the candidate clients that are unreliable (0 when <paramref name="Count"/> says it).</param>
/// <param name="Kind">How their data is degraded.</param>
/// <param name="Level">The degradation's strength (see <see cref="Degradation"/>).</param>
public sealed record UnreliableSettings(int Count, double Fraction, DegradationKind Kind, double Level)
{
    /// <summary>
    /// The probability that an unreliable client takes each of its local steps (the others'
    /// batches go by untrained), drawn afresh for every step of every round: MUD-HoG's
    /// <c>--unreliable_fracTrain</c>. 1 (every step) by default. <value>1</value>
    /// </summary>
    public double TrainFraction { get; init; } = 1;

    /// <summary>
    /// The probability that a batch an unreliable client trains on is degraded (the others stay
    /// clean), drawn afresh for every batch: MUD-HoG's <c>--unreliable_fraction</c>. 1 (every
    /// batch) by default; pixel degradations only. <value>1</value>
    /// </summary>
    public double DegradedFraction { get; init; } = 1;

    /// <summary>Client <paramref name="id"/>'s draws of steps and degraded batches, or null when every step trains on degraded data (the default).</summary>
    public UnreliableSteps? StepsFor(int id, ulong seed) =>
        TrainFraction >= 1 && DegradedFraction >= 1 ? null : new(TrainFraction, DegradedFraction, Seed.Derive(seed, "unreliable-steps", id));

    /// <summary>The unreliable clients among <paramref name="candidates"/> (ids 0 .. candidates - 1), in id order.</summary>
    public ImmutableArray<int> Clients(int candidates, ulong seed)
    {
        int count = Fraction > 0 ? (int)Math.Round(Fraction * candidates, MidpointRounding.AwayFromZero) : Count;
        var ids = Enumerable.Range(0, candidates).ToArray();
        new DeterministicRandom(Seed.Derive(seed, "unreliable-clients")).FisherYates(ids.AsSpan());
        return [.. ids[..Math.Min(count, candidates)].Order()];
    }

    /// <summary>Client <paramref name="id"/>'s degradation, with its own stream of the run's <paramref name="seed"/>.</summary>
    public Degradation For(int id, ulong seed) => new(Kind, Level, Seed.Derive(seed, "degradation", id));
}

/// <summary>What a client is in a run's records (<c>clients.csv</c>) and detection ground truth.</summary>
public static class ClientRoles
{
    /// <summary>An honest client with clean data.</summary>
    public const string Honest = "honest";

    /// <summary>An honest client with degraded data or noisy labels.</summary>
    public const string Unreliable = "unreliable";

    /// <summary>The role of a Byzantine client of attacker group <paramref name="group"/>.</summary>
    public static string Byzantine(string group) => "byzantine:" + group;
}
