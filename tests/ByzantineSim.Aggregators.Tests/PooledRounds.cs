namespace ByzantineSim.Aggregators.Tests;

/// <summary>The server's use of a stateful rule with the run's state pool, measured.</summary>
internal static class PooledRounds
{
    /// <summary>
    /// Aggregates <paramref name="inputs"/> for <paramref name="rounds"/> rounds, each state
    /// retired once the next replaces it; returns the most bytes the calling thread allocated in
    /// one round after the first <paramref name="unmeasured"/>, and the last state. <paramref name="server"/>
    /// is the server's own update, for rules that need one (FLTrust).
    /// </summary>
    public static (long MostAllocated, AggregatorState? State) Run(IAggregator rule, RowMatrix inputs, float[] output, int rounds, int unmeasured, ReadOnlyMemory<float> server = default)
    {
        var pool = new PayloadPool(1L << 26);
        AggregatorState? state = null;
        long allocated = 0;
        for (int round = 0; round < rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var next = rule.Aggregate(inputs, output, new AggregationContext(round, 0, state) { StatePool = pool, ServerUpdate = server });
            state?.Retire();
            allocated = round >= unmeasured ? Math.Max(allocated, GC.GetAllocatedBytesForCurrentThread() - before) : allocated;
            state = next;
        }

        return (allocated, state);
    }
}
