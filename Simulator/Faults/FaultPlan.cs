namespace ByzantineSim.Simulator.Faults;

/// <summary>
/// What the simulated network and devices do to each honest client in each round: a pure
/// function of the run's seed, the client and the round, decided without any clock. Crashed
/// clients are chosen once (explicitly or drawn from the seed); a straggler's delay and the loss
/// of a message are drawn from streams derived from (seed, client, round), so the same run gives
/// the same faults whatever the thread timing. The server consults the plan as the network would
/// deliver: a crashed client is never asked, a lost update never counts, and an update whose
/// simulated arrival is past the round's simulated deadline is excluded exactly as if it had
/// arrived late.
/// </summary>
public sealed class FaultPlan
{
    private readonly FaultSettings _settings;
    private readonly ulong _seed;

    /// <summary>Resolves <paramref name="settings"/> for a run with <paramref name="honestClients"/> honest clients (ids 0 ..).</summary>
    public FaultPlan(FaultSettings settings, ulong runSeed, int honestClients)
    {
        _settings = settings;
        _seed = runSeed;
        Crashed = settings.Crash is { } crash
            ? Choose(crash.Clients, crash.Count, honestClients, "fault-crash")
            : [];
        Stragglers = settings.Stragglers is { } stragglers
            ? Choose(stragglers.Clients, (int)Math.Round(stragglers.Fraction * honestClients, MidpointRounding.AwayFromZero), honestClients, "fault-stragglers")
            : [];
    }

    /// <summary>A plan without faults.</summary>
    public static FaultPlan None { get; } = new(FaultSettings.None, 0, 0);

    /// <summary>The clients that crash-stop.</summary>
    public ImmutableSortedSet<int> Crashed { get; }

    /// <summary>The clients that straggle.</summary>
    public ImmutableSortedSet<int> Stragglers { get; }

    /// <summary>True when <paramref name="client"/> is down in <paramref name="round"/>.</summary>
    public bool IsCrashed(int client, int round) =>
        _settings.Crash is { } crash && round >= crash.FromRound && Crashed.Contains(client);

    /// <summary>The fate of <paramref name="client"/>'s update in <paramref name="round"/>: lost, or its simulated arrival time.</summary>
    public Delivery Deliver(int client, int round)
    {
        if (_settings.MessageLoss > 0
            && new DeterministicRandom(Seed.Derive(_seed, "fault-loss", client, round)).NextDouble() < _settings.MessageLoss)
        {
            return new Delivery(true, 0);
        }

        double delay = _settings.Stragglers is { } stragglers && Stragglers.Contains(client)
            ? stragglers.Delay.Sample(new DeterministicRandom(Seed.Derive(_seed, "fault-delay", client, round)))
            : 0;
        return new Delivery(false, delay);
    }

    private ImmutableSortedSet<int> Choose(ImmutableArray<int> explicitIds, int count, int honestClients, string purpose)
    {
        if (!explicitIds.IsDefaultOrEmpty)
        {
            return [.. explicitIds];
        }

        var ids = Enumerable.Range(0, honestClients).ToArray();
        new DeterministicRandom(Seed.Derive(_seed, purpose)).FisherYates(ids.AsSpan());
        return [.. ids.Take(Math.Min(count, honestClients))];
    }
}

/// <summary>How an update travels to the server.</summary>
/// <param name="Lost">It never arrives.</param>
/// <param name="Arrival">Simulated seconds after the round started at which it arrives.</param>
public readonly record struct Delivery(bool Lost, double Arrival);
