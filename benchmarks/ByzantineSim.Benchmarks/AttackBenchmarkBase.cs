using System.Collections.Frozen;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// What the attack benchmarks share: n = 25 and 100 honest updates of d = 1e6 standard normal
/// float32 values (seed 1), the matrix the attacks read, and a crafting context for a round with
/// a given number of Byzantine clients.
/// </summary>
public abstract class AttackBenchmarkBase
{
    /// <summary>Number of honest vectors.</summary>
    [Params(25, 100)]
    public int N { get; set; }

    /// <summary>Dimension d: the length of every input vector.</summary>
    [Params(1_000_000)]
    public int D { get; set; }

    /// <summary>The n x d honest updates, row-major.</summary>
    protected float[] Honest { get; private set; } = [];

    /// <summary>Draws the honest updates; returns the generator, for setups that draw more after them.</summary>
    protected DeterministicRandom CreateHonest()
    {
        var random = new DeterministicRandom(1);
        Honest = new float[N * D];
        for (int i = 0; i < Honest.Length; i++)
        {
            Honest[i] = (float)random.NextGaussian();
        }

        return random;
    }

    /// <summary>
    /// The attacks a benchmark class measures, created for <paramref name="population"/> from rows of
    /// (key the benchmarks look it up by, registry name, options as <c>name=value</c> or empty).
    /// </summary>
    protected static FrozenDictionary<string, IAttack> CreateAttacks(AttackPopulation population, params (string Key, string Name, string Option)[] table) =>
        table.ToFrozenDictionary(
            row => row.Key,
            row => BuiltInAttacks.Create(
                row.Name,
                population,
                row.Option.Length == 0 ? null : new Dictionary<string, string> { [row.Option.Split('=')[0]] = row.Option.Split('=')[1] }));

    /// <summary>Round 0's context (seed 1) with every honest update visible and <paramref name="byzantine"/> Byzantine clients.</summary>
    protected AttackContext Context(int byzantine, AggregationPipeline? pipeline) => new()
    {
        Round = 0,
        Seed = 1,
        TotalClients = N + byzantine,
        ByzantineCount = byzantine,
        Dimension = D,
        HonestUpdates = new RowMatrix(Honest, N, D),
        Aggregator = pipeline,
    };
}
