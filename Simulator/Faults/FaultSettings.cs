namespace ByzantineSim.Simulator.Faults;

/// <summary>
/// Benign faults of honest clients, injected by the simulator (not by the adversary): crash-stop,
/// stragglers and message loss. They are resolved in simulated time, as a pure function of the
/// run's seed, the client and the round, so runs stay deterministic and never wait on the wall
/// clock (see <see cref="FaultPlan"/>).
/// </summary>
/// <param name="Crash">Crash-stop faults, or null.</param>
/// <param name="Stragglers">Slow clients, or null.</param>
/// <param name="MessageLoss">Probability that an honest client's update is lost on its way to the server.</param>
public sealed record FaultSettings(CrashFaults? Crash, StragglerFaults? Stragglers, double MessageLoss)
{
    /// <summary>No faults.</summary>
    public static FaultSettings None { get; } = new(null, null, 0);

    /// <summary>True when some client may fail to deliver an update at all (a deadline is then needed).</summary>
    public bool LosesUpdates => Crash is not null || MessageLoss > 0;
}

/// <summary>Crash-stop: the chosen honest clients stop answering from <paramref name="FromRound"/> on, for good.</summary>
/// <param name="Clients">Explicit client ids (honest ids, 0 .. n - f - 1); empty when <paramref name="Count"/> is used.</param>
/// <param name="Count">Number of honest clients drawn from the run seed (when no explicit list is given).</param>
/// <param name="FromRound">First round in which they are down (0-based).</param>
public sealed record CrashFaults(ImmutableArray<int> Clients, int Count, int FromRound)
{
    /// <inheritdoc />
    public bool Equals(CrashFaults? other) =>
        other is not null && Clients.SequenceEqual(other.Clients) && Count == other.Count && FromRound == other.FromRound;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Clients.Length, Count, FromRound);
}

/// <summary>Stragglers: chosen honest clients reply after a random delay drawn per round.</summary>
/// <param name="Clients">Explicit client ids; empty when <paramref name="Fraction"/> is used.</param>
/// <param name="Fraction">Fraction of the honest clients drawn from the run seed (rounded to nearest).</param>
/// <param name="Delay">Distribution of a straggler's delay, in simulated seconds.</param>
public sealed record StragglerFaults(ImmutableArray<int> Clients, double Fraction, DelayDistribution Delay)
{
    /// <inheritdoc />
    public bool Equals(StragglerFaults? other) =>
        other is not null && Clients.SequenceEqual(other.Clients) && Fraction.Equals(other.Fraction) && Delay == other.Delay;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Clients.Length, Fraction, Delay);
}

/// <summary>A delay distribution in simulated seconds.</summary>
/// <param name="Kind">Exponential (mean), uniform (low, high) or constant (mean).</param>
/// <param name="Mean">Mean of the exponential, value of the constant.</param>
/// <param name="Low">Lower end of the uniform.</param>
/// <param name="High">Upper end of the uniform.</param>
public sealed record DelayDistribution(DelayKind Kind, double Mean, double Low, double High)
{
    /// <summary>Draws one delay.</summary>
    public double Sample(DeterministicRandom random) => Kind switch
    {
        DelayKind.Exponential => -Mean * Math.Log(1.0 - random.NextDouble()),
        DelayKind.Uniform => Low + ((High - Low) * random.NextDouble()),
        DelayKind.Constant => Mean,
        _ => throw new InvalidOperationException($"unknown delay distribution {Kind}"),
    };
}

/// <summary>The delay distributions a straggler's arrival can follow.</summary>
public enum DelayKind
{
    /// <summary>Exponential with the given mean.</summary>
    Exponential,

    /// <summary>Uniform between low and high.</summary>
    Uniform,

    /// <summary>Always the given value.</summary>
    Constant,
}
