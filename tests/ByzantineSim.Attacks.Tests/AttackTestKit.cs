namespace ByzantineSim.Attacks.Tests;

/// <summary>Runs an attack kernel on plain matrices, as the coalition would.</summary>
internal static class AttackTestKit
{
    /// <summary>
    /// The message of the <see cref="ArgumentException"/> that creating the built-in attack
    /// <paramref name="name"/> for <paramref name="population"/> with <paramref name="options"/> throws.
    /// </summary>
    public static string CreateError(string name, AttackPopulation population, IReadOnlyDictionary<string, string>? options = null) =>
        Assert.Throws<ArgumentException>(() => BuiltInAttacks.Create(name, population, options)).Message;

    public static float[] Craft(IAttack attack, float[][] honestRows, int f, int n, ulong seed = 0) =>
        Craft(attack, honestRows, f, n, out _, seed: seed);

    public static float[] Craft(
        IAttack attack,
        float[][] honestRows,
        int f,
        int n,
        out AttackState? next,
        AttackState? state = null,
        int[]? honestIds = null,
        float[][]? own = null,
        AggregationPipeline? pipeline = null,
        ulong seed = 0,
        int? outputRows = null)
    {
        var honest = Matrices.Flatten(honestRows);
        int d = honestRows[0].Length;
        var ownData = own is null ? [] : Matrices.Flatten(own);
        var output = new float[(outputRows ?? f) * d];
        var context = new AttackContext
        {
            Round = 0,
            Seed = seed,
            TotalClients = n,
            ByzantineCount = f,
            Dimension = d,
            HonestUpdates = Matrices.View(honest, honestRows.Length),
            HonestIds = honestIds ?? [],
            OwnGradients = new RowMatrix(ownData, own?.Length ?? 0, own is null ? 0 : d),
            Aggregator = pipeline,
            State = state,
        };
        next = attack.Craft(context, output);
        return output;
    }

    /// <summary>|| F(honest + f copies of <paramref name="byzantine"/>) - mean(honest) ||, computed plainly.</summary>
    public static double Damage(AggregationPipeline pipeline, float[] honest, int honestRows, int f, ReadOnlySpan<float> byzantine)
    {
        int d = honest.Length / honestRows;
        var inputs = new float[(honestRows + f) * d];
        honest.CopyTo(inputs, 0);
        for (int k = 0; k < f; k++)
        {
            byzantine.CopyTo(inputs.AsSpan((honestRows + k) * d, d));
        }

        var aggregate = new float[d];
        pipeline.Aggregate(new RowMatrix(inputs, honestRows + f, d), aggregate, AggregationContext.Stateless);
        var mean = new float[d];
        VectorMath.MeanOfRows(Matrices.View(honest, honestRows), mean);
        return Math.Sqrt(VectorMath.SquaredDistance(aggregate, mean));
    }
}
