using ByzantineSim.Testing;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// FoolsGold's and MUD-HoG's per-client histories taken from the run's state pool, as the server
/// does it (each state retired once the next replaces it): the same bits and verdicts as fresh
/// arrays, arrays reused from round to round, and nothing a newer state still holds given back.
/// </summary>
public class PooledHistoryTests
{
    public static TheoryData<string> Rules => ["foolsgold", "mud-hog"];

    [Theory]
    [MemberData(nameof(Rules))]
    public void PooledStates_GiveTheSameBitsAndVerdictsAsFreshOnes(string name)
    {
        // 9 clients, 3 of them sign-flipped sybils; the rows change every round, and client 4 sends
        // a NaN in round 2 (its history must stay as it was).
        const int n = 9, d = 257;
        var rule = BuiltInAggregators.Create(name, 3, name == "mud-hog" ? new Dictionary<string, string> { ["warmup"] = "1" } : null);
        var pool = new PayloadPool(1L << 24);
        AggregatorState? fresh = null, pooled = null;
        for (int round = 0; round < 8; round++)
        {
            var data = Matrices.Gaussian(n, d, 100 + (ulong)round);
            for (int i = 6; i < n; i++)
            {
                for (int k = 0; k < d; k++)
                {
                    data[(i * d) + k] = -2 * data[k];
                }
            }

            if (round == 2)
            {
                data[(4 * d) + 7] = float.NaN;
            }

            var (a, aFlags) = (new float[d], new RowVerdicts());
            var (b, bFlags) = (new float[d], new RowVerdicts());
            fresh = rule.Aggregate(new RowMatrix(data, n, d), a, new AggregationContext(round, 0, fresh) { Verdicts = aFlags });
            var next = rule.Aggregate(new RowMatrix(data, n, d), b, new AggregationContext(round, 0, pooled) { Verdicts = bFlags, StatePool = pool });
            pooled?.Retire();
            pooled = next;
            Assert.Equal(a, b);
            Assert.Equal(aFlags.Flags, bFlags.Flags);
        }
    }

    [Fact]
    public void FoolsGold_WithAStatePool_RoundAfterRoundAllocatesNothingModelSized()
    {
        // The old code took a fresh d-float history for every client in every round (7 x 400 KB).
        const int n = 7, d = 100_000;
        var (allocated, _) = PooledRounds.Run(BuiltInAggregators.Create("foolsgold", 2), new RowMatrix(Matrices.Gaussian(n, d, 11), n, d), new float[d], rounds: 5, unmeasured: 3);
        Assert.InRange(allocated, 0, d); // under a quarter of one d-float array per round
    }

    [Fact]
    public void MudHog_WithAStatePool_TakesNoFloatStateFromTheHeapAfterFourRounds()
    {
        // Histories and window entries come from the pool and go back one round after they are
        // superseded, so from the fifth round on the pool serves every one of them and holds the
        // same bytes at the start of each round.
        const int n = 6, d = 4_096;
        var rule = BuiltInAggregators.Create("mud-hog", 1, new Dictionary<string, string> { ["window"] = "2" });
        var pool = new PayloadPool(1L << 26);
        AggregatorState? state = null;
        var held = new List<long>();
        for (int round = 0; round < 7; round++)
        {
            var data = Matrices.Gaussian(n, d, 40 + (ulong)round);
            held.Add(pool.HeldBytes);
            var next = rule.Aggregate(new RowMatrix(data, n, d), new float[d], new AggregationContext(round, 0, state) { StatePool = pool });
            state?.Retire();
            state = next;
        }

        // Each round rents n histories and n window copies. Round 1 supersedes the n first sums
        // (windows still fill), and from round 2 on a round supersedes n sums and n oldest window
        // entries; each state gives back what it superseded when it is retired, a round later.
        // So the pool holds nothing before round 3, n arrays then, and 2n from round 4 on.
        Assert.Equal([0, 0, 0, 1L * n * d * 4], held.Take(4));
        Assert.All(held.Skip(4), bytes => Assert.Equal(2L * n * d * 4, bytes));
        var current = Assert.IsType<MudHog.MudHogState>(state);
        Assert.All(current.Clients.Values, c => Assert.False(c.Sum.IsReleased));
        Assert.All(current.Clients.Values.SelectMany(c => c.Window), w => Assert.False(w.IsReleased));
    }
}
