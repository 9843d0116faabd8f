namespace ByzantineSim.Aggregators.MudHog;

/// <summary>
/// MUD-HoG's state between rounds: the rounds aggregated so far, each client's histories and
/// counters by client id, and the confirmed sets of the reference code.
/// </summary>
/// <param name="Rounds">Aggregations so far (the reference's iter).</param>
/// <param name="Clients">Per-client histories and counters, by client id.</param>
/// <param name="Malicious">Confirmed malicious clients (mal_ids).</param>
/// <param name="FlipSign">Confirmed sign-flipping clients.</param>
/// <param name="Untargeted">Confirmed additive-noise (untargeted) clients.</param>
/// <param name="Targeted">Confirmed targeted (label-flipping) clients.</param>
/// <param name="Unreliable">Clients judged benign but unreliable.</param>
/// <param name="Superseded">The previous state's histories and window entries this one no longer holds.</param>
public sealed record MudHogState(
    int Rounds,
    ImmutableDictionary<int, MudHogClient> Clients,
    ImmutableSortedSet<int> Malicious,
    ImmutableSortedSet<int> FlipSign,
    ImmutableSortedSet<int> Untargeted,
    ImmutableSortedSet<int> Targeted,
    ImmutableSortedSet<int> Unreliable,
    ImmutableArray<VectorPayload> Superseded) : AggregatorState
{
    /// <summary>Before the first round.</summary>
    public static MudHogState Initial { get; } = new(0, ImmutableDictionary<int, MudHogClient>.Empty, [], [], [], [], [], []);

    /// <summary>
    /// Gives back what this state superseded: its predecessor is retired by now, and nothing else
    /// holds those arrays. Its own histories stay readable (see <see cref="FoolsGold.FoolsGoldState.Retire"/>).
    /// </summary>
    public override void Retire()
    {
        foreach (var payload in Superseded)
        {
            payload.Release();
        }
    }
}

/// <summary>One client's histories and counters.</summary>
/// <param name="Sum">The long HoG: the sum of all its updates.</param>
/// <param name="Window">Its last updates, oldest first, whose mean is the short HoG.</param>
/// <param name="Suspicion">Consecutive rounds it was suspected (pre_mal_id).</param>
/// <param name="UnreliableCount">The reference's count_unreliable.</param>
public sealed record MudHogClient(VectorPayload Sum, ImmutableArray<VectorPayload> Window, int Suspicion, int UnreliableCount)
{
    /// <summary>The short HoG: the mean of <see cref="Window"/>, in double.</summary>
    public double[] ShortHog() => ShortHog(new double[Sum.Length]);

    /// <summary>The short HoG written into <paramref name="mean"/> (<see cref="Sum"/>'s length, any contents), which is returned.</summary>
    public double[] ShortHog(double[] mean)
    {
        Array.Clear(mean);
        foreach (var update in Window)
        {
            var span = update.Span;
            for (int k = 0; k < mean.Length; k++)
            {
                mean[k] += span[k];
            }
        }

        for (int k = 0; k < mean.Length; k++)
        {
            mean[k] /= Window.Length;
        }

        return mean;
    }

    /// <summary>The long HoG in double.</summary>
    public double[] LongHog() => LongHog(new double[Sum.Length]);

    /// <summary>The long HoG written into <paramref name="values"/> (<see cref="Sum"/>'s length), which is returned.</summary>
    public double[] LongHog(double[] values)
    {
        var span = Sum.Span;
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = span[k];
        }

        return values;
    }
}
