using static ByzantineSim.Attacks.Tests.AttackTestKit;

namespace ByzantineSim.Attacks.Tests;

public class FangAttackTests
{
    /// <summary>
    /// Seven honest updates clustered around mu = [0.5, 0.5, 0.5, 0.5]: mu +- e_j (radius 1),
    /// the spread of SGD noise around a small mean.
    /// </summary>
    private static readonly float[][] Cluster =
    [
        [1.5f, 0.5f, 0.5f, 0.5f], [-0.5f, 0.5f, 0.5f, 0.5f], [0.5f, 1.5f, 0.5f, 0.5f], [0.5f, -0.5f, 0.5f, 0.5f],
        [0.5f, 0.5f, 1.5f, 0.5f], [0.5f, 0.5f, -0.5f, 0.5f], [0.5f, 0.5f, 0.5f, 1.5f],
    ];

    [Fact]
    public void FangKrum_ClusteredHonestUpdates_KrumSelectsTheByzantineVector()
    {
        const int F = 3, N = 10;
        var output = Craft(BuiltInAttacks.Create("fang-krum", new(N, F)), Cluster, F, N);

        // The paper's bound by hand: each honest update has at least 5 others at distance sqrt(2),
        // so min_i of the sum over its n - f - 2 = 5 nearest is 5 sqrt(2), divided by
        // (n - 2f - 1) sqrt(d) = 3 * 2; max ||h_i|| = sqrt(3), divided by sqrt(d) = 2. Krum rejects
        // lambda0 and lambda0 / 2 (b is then 7.2 or more from the nearest honest updates, whose own
        // scores are about 10) and selects lambda0 / 4.
        double lambda = ((5 * Math.Sqrt(2) / 6) + (Math.Sqrt(3) / 2)) / 4;
        float expected = (float)-lambda;
        Assert.Equal(Enumerable.Repeat(expected, F * 4), output, new FloatComparer(1e-5f));

        var inputs = Matrices.Flatten([.. Cluster, .. Enumerable.Range(0, F).Select(k => output.AsSpan(k * 4, 4).ToArray())]);
        var aggregate = new float[4];
        new AggregationPipeline(BuiltInAggregators.Create("krum", F)).Aggregate(new RowMatrix(inputs, N, 4), aggregate, AggregationContext.Stateless);
        Assert.Equal(output.AsSpan(0, 4).ToArray(), aggregate);
    }

    [Fact]
    public void FangKrum_PartialKnowledge_NeedsOnlyOwnUpdates()
    {
        var attack = BuiltInAttacks.Create("fang-krum", new(10, 3), new Dictionary<string, string> { ["knowledge"] = "partial" });
        Assert.Equal(AttackKnowledge.OwnGradients, attack.Requires);
        var output = Craft(attack, [[0f, 0f]], 3, 10, out _, own: [[1, -1], [2, -3], [0.5f, -0.5f]]);
        Assert.True(output[0] < 0 && output[1] > 0 && output[0] == -output[1], $"b = -lambda sign(mean own) = [{output[0]}, {output[1]}]");
    }

    [Fact]
    public void FangKrum_TooManyByzantineForKrum_IsAnError()
    {
        Assert.Contains("needs n > 2f + 2 (n=8, f=3)", CreateError("fang-krum", new(8, 3)), StringComparison.Ordinal);
    }

    [Fact]
    public void FangTrim_FullKnowledge_DrawsBeyondTheHonestExtremeAgainstTheMeanSign()
    {
        // Coordinate 0: mean 1 > 0, min -1 <= 0: [2 * -1, -1]. Coordinate 1: mean -4 <= 0, max -2 <= 0:
        // [-2, -2 / 2]. Coordinate 2: mean 2 > 0, min 1 > 0: [1 / 2, 1].
        float[][] honest = [[1, -2, 1], [3, -4, 2], [-1, -6, 3]];
        var output = Craft(BuiltInAttacks.Create("fang-trim", new(5, 2)), honest, 2, 5, seed: 9);
        for (int k = 0; k < 2; k++)
        {
            Assert.InRange(output[(k * 3) + 0], -2f, -1f);
            Assert.InRange(output[(k * 3) + 1], -2f, -1f);
            Assert.InRange(output[(k * 3) + 2], 0.5f, 1f);
        }

        Assert.NotEqual(output[0], output[3]); // each client draws its own values
    }

    [Fact]
    public void FangTrim_PartialKnowledge_UsesThreeToFourStdBeyondTheOwnMean()
    {
        // Own updates [1, 1] and [3, -1]: mean [2, 0], sample std sqrt(2) on both coordinates.
        var attack = BuiltInAttacks.Create("fang-trim", new(5, 2), new Dictionary<string, string> { ["knowledge"] = "partial" });
        var output = Craft(attack, [[0f, 0f]], 2, 5, out _, own: [[1, 1], [3, -1]]);
        double s = Math.Sqrt(2);
        for (int k = 0; k < 2; k++)
        {
            Assert.InRange(output[k * 2], (float)(2 - (4 * s)), (float)(2 - (3 * s)));
            Assert.InRange(output[(k * 2) + 1], (float)(3 * s), (float)(4 * s));
        }
    }

    [Fact]
    public void FangTrim_AgainstMedian_MovesTheAggregateAgainstTheHonestMean()
    {
        var random = new DeterministicRandom(4);
        var honest = Enumerable.Range(0, 7).Select(_ => Enumerable.Range(0, 20).Select(_ => 1f + (float)random.NextGaussian()).ToArray()).ToArray();
        var output = Craft(BuiltInAttacks.Create("fang-trim", new(10, 3)), honest, 3, 10);
        var inputs = Matrices.Flatten([.. honest, .. Enumerable.Range(0, 3).Select(k => output.AsSpan(k * 20, 20).ToArray())]);
        var attacked = new float[20];
        var clean = new float[20];
        new AggregationPipeline(BuiltInAggregators.Create("median", 3)).Aggregate(new RowMatrix(inputs, 10, 20), attacked, AggregationContext.Stateless);
        new AggregationPipeline(BuiltInAggregators.Create("median", 3)).Aggregate(Matrices.View(Matrices.Flatten(honest), 7), clean, AggregationContext.Stateless);
        var mean = new float[20];
        VectorMath.MeanOfRows(Matrices.View(Matrices.Flatten(honest), 7), mean);
        for (int j = 0; j < 20; j++)
        {
            // Three values below every honest one (or above, where the mean is negative) shift the median by three ranks.
            Assert.True(Math.Sign(mean[j]) * (attacked[j] - clean[j]) < 0, $"coordinate {j}: median {attacked[j]} vs {clean[j]} without attack");
        }
    }

    [Fact]
    public void OptFang_SendsAScaledNegatedSignOfTheHonestMean()
    {
        float[][] honest = [[1, -2, 0.5f], [3, -1, 0.25f], [2, -3, -0.5f], [0, -1, 1]];
        // Against the mean the damage grows with x: the search expands and returns a positive x.
        var pipeline = new AggregationPipeline(BuiltInAggregators.Create("mean", 1));
        var output = Craft(BuiltInAttacks.Create("opt-fang", new(5, 1)), honest, 1, 5, out _, pipeline: pipeline);
        Assert.True(output[0] < 0, "the search finds some damage");
        Assert.Equal([output[0], -output[0], output[0]], output);
    }
}
