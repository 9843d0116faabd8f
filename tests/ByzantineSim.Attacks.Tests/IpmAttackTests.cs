using static ByzantineSim.Attacks.Tests.AttackTestKit;

namespace ByzantineSim.Attacks.Tests;

public class IpmAttackTests
{
    [Fact]
    public void Ipm_ByzFlTau2_MatchesByzFlUnitTest() =>
        // ByzFL unit tests: InnerProductManipulation(tau = 2) on [1,2,3], [4,5,6], [7,8,9] gives [-8, -10, -12].
        Assert.Equal([-8f, -10f, -12f, -8f, -10f, -12f],
            Craft(BuiltInAttacks.Create("ipm", new(5, 2), new Dictionary<string, string> { ["eps"] = "2" }), Matrices.ByzFlRows, 2, 5));

    [Fact]
    public void Ipm_DefaultEps_IsEpflTenth() =>
        Assert.Equal([-0.4f, -0.5f, -0.6f], Craft(BuiltInAttacks.Create("ipm", new(4, 1)), Matrices.ByzFlRows, 1, 4), new FloatComparer(1e-6f));

    [Fact]
    public void Ipm_NonPositiveEps_IsAnError()
    {
        Assert.Contains("must be a finite number > 0 (got 0)", CreateError("ipm", new(4, 1), new Dictionary<string, string> { ["eps"] = "0" }), StringComparison.Ordinal);
    }
}

public class BitFlipAttackTests
{
    [Fact]
    public void BitFlip_EachSendsItsOwnNegatedGradient()
    {
        var output = Craft(BuiltInAttacks.Create("bit-flip", new(5, 2)), Matrices.ByzFlRows, 2, 5, out _, own: [[1, -2, 3], [0, 5, -6]]);
        Assert.Equal([-1f, 2f, -3f, 0f, -5f, 6f], output);
    }

    [Fact]
    public void BitFlip_WithoutOwnGradients_ExplainsWhatIsMissing()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Craft(BuiltInAttacks.Create("bit-flip", new(5, 2)), Matrices.ByzFlRows, 2, 5));
        Assert.Contains("own gradient", error.Message, StringComparison.Ordinal);
    }
}

public class LabelFlipAttackTests
{
    private static Dictionary<string, string> Options(string key, string value) => new() { [key] = value };

    [Fact]
    public void LabelFlip_MapsYToClassesMinusOneMinusY()
    {
        var attack = BuiltInAttacks.Create("label-flip", new(10, 2, Classes: 4));
        Assert.Equal([3, 2, 1, 0], attack.Poisoning!.Labels!.Map.ToArray());
        Assert.Equal(AttackKnowledge.OwnGradients, attack.Requires);
    }

    [Fact]
    public void LabelFlip_SendsTheUpdatesTrainedOnPoisonedLabels()
    {
        var attack = BuiltInAttacks.Create("label-flip", new(10, 2, Classes: 4));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], Craft(attack, Matrices.ByzFlRows, 2, 10, out _, own: [[1, 2, 3], [4, 5, 6]]));
    }

    [Fact]
    public void LabelPermutation_DefaultShift_IsCyclic() =>
        Assert.Equal([1, 2, 3, 0], BuiltInAttacks.Create("label-permutation", new(10, 2, Classes: 4)).Poisoning!.Labels!.Map.ToArray());

    [Fact]
    public void LabelPermutation_ExplicitMap_IsUsed() =>
        Assert.Equal([1, 0, 3, 2], BuiltInAttacks.Create("label-permutation", new(10, 2, Classes: 4), Options("map", "[1, 0, 3, 2]")).Poisoning!.Labels!.Map.ToArray());

    [Theory]
    [InlineData("map", "[0, 0, 1, 2]", "must hold every label 0 .. 3 exactly once (got [0, 0, 1, 2])")]
    [InlineData("map", "[1, 0]", "must give one label per class: the data set has 4 classes, the map 2")]
    [InlineData("shift", "0", "must be >= 1 (got 0)")]
    public void LabelPermutation_BadOptions_AreErrors(string key, string value, string expected)
    {
        Assert.Contains(expected, CreateError("label-permutation", new(10, 2, Classes: 4), Options(key, value)), StringComparison.Ordinal);
    }

    [Fact]
    public void LabelFlip_UnknownClasses_IsAnError()
    {
        Assert.Contains("label-flip needs the data set's number of classes (got 0)", CreateError("label-flip", new(10, 2)), StringComparison.Ordinal);
    }
}
