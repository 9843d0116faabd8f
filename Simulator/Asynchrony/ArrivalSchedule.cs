namespace ByzantineSim.Simulator.Asynchrony;

/// <summary>
/// One update's trip in simulated time: client <paramref name="Client"/>'s job number
/// <paramref name="Job"/> starts at <paramref name="Start"/> on server version
/// <paramref name="BaseVersion"/> and arrives at <paramref name="Time"/>, where the server applies
/// it in step <paramref name="Step"/> (it updates version <paramref name="Step"/>).
/// </summary>
/// <param name="Index">Position in the arrival order (0-based).</param>
/// <param name="Client">Client id (honest 0 .. h-1, Byzantine h .. n-1).</param>
/// <param name="Byzantine">True for a Byzantine client.</param>
/// <param name="Job">The client's own job counter: its honest work is that of round <paramref name="Job"/> of a synchronous run.</param>
/// <param name="Start">Simulated second the job started.</param>
/// <param name="Time">Simulated second it arrived.</param>
/// <param name="BaseVersion">The model version it was computed from (a Byzantine client's per its timing).</param>
/// <param name="Step">The server step that applies it.</param>
public sealed record Arrival(int Index, int Client, bool Byzantine, int Job, double Start, double Time, int BaseVersion, int Step)
{
    /// <summary>Staleness u = Step - BaseVersion (0: computed from the newest model).</summary>
    public int Staleness => Step - BaseVersion;
}

/// <summary>
/// The whole run's arrivals, computed before any training: a pure function of the settings, the
/// population and the number of server steps. All n clients start at time 0 on version 0; each
/// arrival is applied at once (FedAsync) or completes a buffer of K (FedBuff), and its client
/// starts its next job at that instant on the newest version. Arrivals at the same instant are
/// applied in client-id order, all before their clients start again (so FedBuff with K = n and
/// equal speeds is synchronous FedAvg). The server version a client is sent depends only on how many arrivals came before, never on
/// their values, so the schedule (and with it every result) is the same whatever the parallelism.
/// </summary>
public sealed class ArrivalSchedule
{
    private ArrivalSchedule(ImmutableArray<Arrival> arrivals, ImmutableArray<int> lastUse, ImmutableArray<double> stepTimes)
    {
        Arrivals = arrivals;
        LastUse = lastUse;
        StepTimes = stepTimes;
    }

    /// <summary>Every arrival, in the order the server applies them.</summary>
    public ImmutableArray<Arrival> Arrivals { get; }

    /// <summary>For each model version v, the index of the last arrival computed from it (-1: none); after it, v can be released.</summary>
    public ImmutableArray<int> LastUse { get; }

    /// <summary>For each server step, the simulated second it completed (its last arrival).</summary>
    public ImmutableArray<double> StepTimes { get; }

    /// <summary>
    /// Builds the schedule of <paramref name="steps"/> server steps for <paramref name="honest"/>
    /// honest and <paramref name="byzantine"/> Byzantine clients.
    /// </summary>
    public static ArrivalSchedule Build(AsynchronySettings settings, int honest, int byzantine, int steps)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(honest + byzantine, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int n = honest + byzantine;
        int buffer = settings.Mode switch { AsyncMode.FedAsync => 1, AsyncMode.Sync => n, _ => settings.Buffer };
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buffer, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer, 1);

        var compute = new DeterministicRandom[n];
        var latency = new DeterministicRandom[n];
        var computeFactor = new double[n];
        var latencyFactor = new double[n];
        for (int client = 0; client < n; client++)
        {
            compute[client] = new DeterministicRandom(Seed.Derive(settings.Seed, "async-compute", client));
            latency[client] = new DeterministicRandom(Seed.Derive(settings.Seed, "async-latency", client));
            var speed = new DeterministicRandom(Seed.Derive(settings.Seed, "async-speed", client));
            computeFactor[client] = 1 + ((settings.ComputeSpread - 1) * speed.NextDouble());
            latencyFactor[client] = 1 + ((settings.LatencySpread - 1) * speed.NextDouble());
        }

        double Duration(int client) =>
            (computeFactor[client] * settings.Compute.Sample(compute[client])) + (latencyFactor[client] * settings.Latency.Sample(latency[client]));

        if (settings.Mode == AsyncMode.Sync)
        {
            return Synchronous(n, honest, steps, Duration);
        }

        var queue = new PriorityQueue<int, (double Time, int Client)>();
        var start = new double[n];
        var baseVersion = new int[n];
        var job = new int[n];
        for (int client = 0; client < n; client++)
        {
            queue.Enqueue(client, (Duration(client), client));
        }

        var arrivals = ImmutableArray.CreateBuilder<Arrival>();
        var stepTimes = ImmutableArray.CreateBuilder<double>(steps);
        var lastUse = Enumerable.Repeat(-1, steps + 1).ToArray();
        int version = 0, buffered = 0;
        var instant = new List<(int Client, double Time)>();
        while (version < steps)
        {
            // Every arrival of one simulated instant is applied before its clients start again,
            // so clients that finish together all get the version their instant produced.
            instant.Clear();
            queue.TryPeek(out _, out var first);
            while (version < steps && queue.TryPeek(out _, out var key) && key.Time == first.Time)
            {
                queue.Dequeue();
                int client = key.Client;
                bool isByzantine = client >= honest;
                int basedOn = !isByzantine ? baseVersion[client] : settings.ByzantineTiming switch
                {
                    ByzantineTiming.Fresh => version,
                    ByzantineTiming.Stale => Math.Max(0, version - settings.ByzantineLag),
                    _ => baseVersion[client],
                };
                arrivals.Add(new Arrival(arrivals.Count, client, isByzantine, job[client], start[client], key.Time, basedOn, version));
                lastUse[basedOn] = arrivals.Count - 1;
                instant.Add((client, key.Time));
                if (++buffered == buffer)
                {
                    buffered = 0;
                    version++;
                    stepTimes.Add(key.Time);
                }
            }

            foreach (var (client, time) in instant)
            {
                start[client] = time;
                baseVersion[client] = version;
                job[client]++;
                queue.Enqueue(client, (time + Duration(client), client));
            }
        }

        return new ArrivalSchedule(arrivals.ToImmutable(), [.. lastUse], stepTimes.MoveToImmutable());
    }

    // Every step: all n clients start together on the newest version; the step closes at the slowest arrival.
    private static ArrivalSchedule Synchronous(int n, int honest, int steps, Func<int, double> duration)
    {
        var arrivals = ImmutableArray.CreateBuilder<Arrival>(n * steps);
        var stepTimes = ImmutableArray.CreateBuilder<double>(steps);
        var lastUse = Enumerable.Repeat(-1, steps + 1).ToArray();
        double now = 0;
        for (int step = 0; step < steps; step++)
        {
            double started = now;
            var times = Enumerable.Range(0, n).Select(client => (Time: started + duration(client), Client: client)).Order().ToList();
            foreach (var (time, client) in times)
            {
                arrivals.Add(new Arrival(arrivals.Count, client, client >= honest, step, started, time, step, step));
            }

            lastUse[step] = arrivals.Count - 1;
            now = times[^1].Time;
            stepTimes.Add(now);
        }

        return new ArrivalSchedule(arrivals.MoveToImmutable(), [.. lastUse], stepTimes.MoveToImmutable());
    }
}
