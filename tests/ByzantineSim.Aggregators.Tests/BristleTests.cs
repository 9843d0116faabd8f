using ByzantineSim.Aggregators.Gossip;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// Bristle's prioritizer and integrator against values derived by hand from the definitions in
/// docs/ALGORITHMS.md (arXiv 2110.11006 and the reference Bristle.kt at commit a505112b).
/// </summary>
public class BristleTests
{
    [Theory]
    [InlineData(0.4, 10, 4, 5, 2)] // the reference's fl, fm, fh: round(3.6), round(4.8), round(1.6)
    [InlineData(0.5, 10, 2, 5, 2)] // 2.5 rounds half to even, as Kotlin's round
    [InlineData(0.0, 10, 10, 0, 0)] // pure exploitation
    [InlineData(1.0, 10, 0, 0, 10)] // pure exploration of the far group
    public void Counts_AreTheAlphaSplitOfN(double alpha, int n, int near, int middle, int far) =>
        Assert.Equal((near, middle, far), BristlePrioritizer.Counts(alpha, n));

    // Seven one-dimensional layers at distances 4, 1, 7, 2, 6, 3, 5 from the own layer 0 (rows 0..6):
    // near = rows {1, 3} (distances 1, 2), middle = {5, 0, 6} (3, 4, 5), far = {4, 2} (6, 7).
    private static readonly float[] Seven = [4, 1, 7, 2, 6, 3, 5];

    [Fact]
    public void Select_WithNThree_TakesOneNearAndOneMiddle_NeverAFarLayer()
    {
        // alpha 0.4, N = 3: round(1.08) = 1 near, round(1.44) = 1 middle, round(0.48) = 0 far.
        var seen = new HashSet<int>();
        for (ulong seed = 0; seed < 64; seed++)
        {
            var chosen = BristlePrioritizer.Select([0f], new RowMatrix(Seven, 7, 1), 0.4, 3, seed);
            Assert.Equal(2, chosen.Length);
            Assert.Single(chosen, r => r is 1 or 3);
            Assert.Single(chosen, r => r is 5 or 0 or 6);
            seen.UnionWith(chosen);
        }

        Assert.Equal([0, 1, 3, 5, 6], seen.Order()); // every near and middle layer is explored, far ones never
    }

    [Fact]
    public void Select_SameSeed_SameChoice_AndNonFiniteLayersSortFar()
    {
        float[] rows = [1, float.NaN, 2, float.PositiveInfinity, 3, 4];
        var first = BristlePrioritizer.Select([0f], new RowMatrix(rows, 6, 1), 0.0, 2, 9);
        Assert.Equal(first, BristlePrioritizer.Select([0f], new RowMatrix(rows, 6, 1), 0.0, 2, 9));
        Assert.Equal([0, 2], first); // alpha 0: the near third {rows 0, 2}; NaN and Inf are the far third
    }

    // C = 3 classes, w = 1 feature; samples h = 1, -1, 2, -2 with labels 0, 1, 0, 1 (class 2 is foreign).
    // Layers are [w_0, w_1, w_2, b_0, b_1, b_2].
    private static BristleEvaluationSet Set() => new([1, -1, 2, -2], [0, 1, 0, 1], 1, 3);

    private static readonly float[] Own = [0, 0, 0, 1, 0, 0]; // always class 0
    private static readonly float[] Good = [1, -1, 0, 0, 0, -5]; // always right
    private static readonly float[] Flipped = [-1, 1, 0, 0, 0, -5]; // always wrong

    [Fact]
    public void F1PerClass_OnTheFamiliarClasses()
    {
        // Own: class 0 tp 2, fp 2, fn 0 -> 4 / 6; class 1 no true positive -> 0.
        Assert.Equal([2.0 / 3, 0.0], BristleIntegrator.F1PerClass(Own, Set()));
        Assert.Equal([1.0, 1.0], BristleIntegrator.F1PerClass(Good, Set()));
        Assert.Equal([0.0, 0.0], BristleIntegrator.F1PerClass(Flipped, Set()));
        Assert.Equal([0, 1], Set().Familiar);
    }

    [Fact]
    public void ScoreWeightAndCertainty_HandDerived()
    {
        Assert.Equal(Math.Pow(10.0 / 3, 3 + (2.0 / 3)), BristleIntegrator.Score(2.0 / 3, 1), 12); // 82.646...
        Assert.Equal(1000, BristleIntegrator.Score(0, 1), 9);
        Assert.Equal(-Math.Pow(2, 4.5), BristleIntegrator.Score(0.5, 0.3), 12); // worse: -D^(4 + F1_me)
        Assert.Equal(1.0, BristleIntegrator.Weight(0), 15); // 10 / 2 - 4
        Assert.Equal(2.9560598708331307, BristleIntegrator.Weight(82.64604322002097), 12);
        Assert.Equal(0.0, BristleIntegrator.Weight(-100)); // 10 sigmoid(-1) - 4 < 0
        Assert.Equal(0.5 - 0.1, BristleIntegrator.Certainty([0.4, 0.6]), 12); // mean 0.5, std 0.1
        Assert.Equal(0.0, BristleIntegrator.Certainty([0.0, 1.0])); // mean 0.5, std 0.5
    }

    [Fact]
    public void Integrate_WeighsEachFamiliarClassByItsScore_AndForeignClassesByThePeerWeight()
    {
        // Good: F1 [1, 1], certainty 1; class 0: w = s(82.646) = 2.95606, class 1: w = s(1000) = 5.99955,
        // foreign class 2: W = s(1082.646) = 5.99980. Flipped: F1 [0, 0], certainty 0, weight 0.
        float[] both = [.. Good, .. Flipped];
        var result = new float[6];
        BristleIntegrator.Integrate(Own, new RowMatrix(both, 2, 6), Set(), result);
        double[] expected = [0.7472232391191279, -0.8571335916707895, 0.0, 0.2527767608808721, 0.0, -4.285694013294167];
        for (int k = 0; k < 6; k++)
        {
            Assert.Equal(expected[k], result[k], 5);
        }
    }

    [Fact]
    public void Integrate_ReportsTheWeightsItGaveEachSelectedLayer_WithoutChangingTheResult()
    {
        // The hand-derived weights of the test above: Good gets s(82.646) = 2.95606 on class 0 and
        // s(1000) = 5.99955 on class 1 (mean 4.47781) and W = s(1082.646) = 5.99980 on the foreign
        // class; Flipped gets certainty 0, so nothing; a NaN layer is reported with no weight.
        float[] rows = [.. Good, .. Flipped, float.NaN, 0, 0, 0, 0, 0];
        var reported = new float[6];
        var unreported = new float[6];
        var weights = new List<BristleSenderWeight>();
        BristleIntegrator.Integrate(Own, new RowMatrix(rows, 3, 6), Set(), reported, default, weights);
        BristleIntegrator.Integrate(Own, new RowMatrix(rows, 3, 6), Set(), unreported);
        Assert.Equal(unreported, reported);

        Assert.Equal([0, 1, 2], weights.Select(w => w.Row));
        Assert.All(weights, w => Assert.Equal(1.0 / 3, w.OwnF1, 12)); // own F1 (2/3, 0)
        var good = weights[0];
        Assert.Equal(1.0, good.SenderF1, 12);
        Assert.Equal(1.0, good.Certainty, 12);
        double class0 = BristleIntegrator.Weight(BristleIntegrator.Score(2.0 / 3, 1)), class1 = BristleIntegrator.Weight(1000);
        Assert.Equal((class0 + class1) / 2, good.FamiliarWeight, 12);
        Assert.Equal(4.4778, good.FamiliarWeight, 4);
        Assert.Equal(BristleIntegrator.Weight(BristleIntegrator.Score(2.0 / 3, 1) + 1000), good.ForeignWeight, 12);
        Assert.Equal(5.9998, good.ForeignWeight, 4);
        Assert.Equal(new BristleSenderWeight(1, 1.0 / 3, 0, 0, 0, 0), weights[1]);
        Assert.True(double.IsNaN(weights[2].SenderF1));
        Assert.Equal((0.0, 0.0), (weights[2].FamiliarWeight, weights[2].ForeignWeight));
    }

    [Fact]
    public void Integrate_ByzantineLayersOfNaNInfOrHugeValues_GiveAFiniteResult()
    {
        float big = 1e38f;
        float[] rows = [float.NaN, 0, 0, 0, 0, 0, float.PositiveInfinity, 1, 1, 1, 1, 1, big, -big, big, -big, big, -big];
        var result = new float[6];
        BristleIntegrator.Integrate(Own, new RowMatrix(rows, 3, 6), Set(), result);
        Assert.All(result, v => Assert.True(float.IsFinite(v)));

        // A huge layer that classifies well still enters only as a convex combination with the own layer.
        float[] huge = [big, -big, 0, 0, 0, -big];
        BristleIntegrator.Integrate(Own, new RowMatrix(huge, 1, 6), Set(), result);
        Assert.All(result, v => Assert.True(float.IsFinite(v)));
        Assert.InRange(result[0], 0f, big);
    }

    // Right on class 0 (h > 0), and predicts the foreign class 2 for the class-1 samples: F1 (1, 0).
    private static readonly float[] Half = [1, 0, -1, 0, -5, 0];

    [Fact]
    public void ScoredClasses_TakesTheBestF1s_TiesToTheLowerClass()
    {
        Assert.Equal([1, 2], BristleIntegrator.ScoredClasses([0.2, 0.9, 0.9, 0.1], 2));
        Assert.Equal([1], BristleIntegrator.ScoredClasses([0.2, 0.9, 0.9, 0.1], 1));
        Assert.Equal([0, 1, 2, 3], BristleIntegrator.ScoredClasses([0.2, 0.9, 0.9, 0.1], 5));
        Assert.Empty(BristleIntegrator.ScoredClasses([0.2, 0.9], 0));
    }

    [Fact]
    public void Integrate_SharedClassCount_ScoresOnlyTheSendersBestClasses()
    {
        // Scored on both familiar classes, Half's F1 (1, 0) has certainty 0.5 - 0.5 = 0: the own layer stays.
        Assert.Equal([1.0, 0.0], BristleIntegrator.F1PerClass(Half, Set()));
        var all = new float[6];
        BristleIntegrator.Integrate(Own, new RowMatrix(Half, 1, 6), Set(), all);
        Assert.Equal(Own, all);
        var two = new float[6];
        BristleIntegrator.Integrate(Own, new RowMatrix(Half, 1, 6), Set(), two, [2]);
        Assert.Equal(Own, two);
        var none = new float[6];
        BristleIntegrator.Integrate(Own, new RowMatrix(Half, 1, 6), Set(), none, [0]);
        Assert.Equal(Own, none);

        // Sharing one class: scored on class 0 only, certainty 1; class 0 and the foreign class 2 get
        // s(82.646) = 2.95606 (rows (own + w half) / (1 + w)), class 1 keeps the own row.
        var one = new float[6];
        BristleIntegrator.Integrate(Own, new RowMatrix(Half, 1, 6), Set(), one, [1]);
        double w = BristleIntegrator.Weight(BristleIntegrator.Score(2.0 / 3, 1));
        Assert.Equal(2.9560598708331307, w, 12);
        double[] expected = [w / (1 + w), 0, -w / (1 + w), 1 / (1 + w), 0, 0];
        for (int k = 0; k < 6; k++)
        {
            Assert.Equal(expected[k], one[k], 5);
        }

        Assert.Equal(0.7472232391191279, one[0], 5);
        Assert.Throws<AggregationException>(() => BristleIntegrator.Integrate(Own, new RowMatrix(Half, 1, 6), Set(), one, [1, 1]));
    }
}
