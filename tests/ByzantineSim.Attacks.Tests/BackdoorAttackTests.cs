using System.Collections.Immutable;
using ByzantineSim.Attacks.Backdoors;
using ByzantineSim.Attacks.Poisoning;
using static ByzantineSim.Attacks.Tests.AttackTestKit;

namespace ByzantineSim.Attacks.Tests;

public class TriggerTests
{
    private static readonly ImmutableArray<int> Shape = [2, 4, 5];

    [Fact]
    public void Stamp_Patch_SetsExactlyThePatchPixelsOfEveryChannel()
    {
        // Two channels of 4 x 5 pixels numbered 0 .. 39; a 2 x 3 patch at row 1, column 2 set to 9.
        var sample = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();
        new Trigger([new TriggerPatch(1, 2, 2, 3)], 9, 0).Stamp(sample, Shape, -1, 5);
        float[] expected =
        [
            0, 1, 2, 3, 4,
            5, 6, 9, 9, 9,
            10, 11, 9, 9, 9,
            15, 16, 17, 18, 19,
            20, 21, 22, 23, 24,
            25, 26, 9, 9, 9,
            30, 31, 9, 9, 9,
            35, 36, 37, 38, 39,
        ];
        Assert.Equal(expected, sample);
    }

    [Fact]
    public void Stamp_NoValue_UsesTheDataHighestFeature()
    {
        var sample = new float[40];
        new Trigger([new TriggerPatch(3, 4, 1, 1)], null, 0).Stamp(sample, Shape, -0.5f, 2.75f);
        Assert.Equal(2.75f, sample[19]);
        Assert.Equal(2.75f, sample[39]);
        Assert.Equal(2 * 2.75f, sample.Sum());
    }

    [Fact]
    public void Stamp_Blend_MixesAFixedPatternInsideTheRange()
    {
        // alpha = 1 gives the pattern itself, the same for any image; alpha = 0.25 then gives 0.75 x + 0.25 p.
        var trigger = new Trigger([], null, 1);
        var pattern = new float[40];
        var other = Enumerable.Repeat(7f, 40).ToArray();
        trigger.Stamp(pattern, Shape, -1, 3);
        trigger.Stamp(other, Shape, -1, 3);
        Assert.Equal(pattern, other);
        Assert.All(pattern, p => Assert.InRange(p, -1f, 3f));
        Assert.True(pattern.Distinct().Count() > 30, "the pattern is noise, not a constant");

        var image = Enumerable.Range(0, 40).Select(i => i / 10f).ToArray();
        var blended = (float[])image.Clone();
        (trigger with { Alpha = 0.25 }).Stamp(blended, Shape, -1, 3);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal((0.75f * image[i]) + (0.25f * pattern[i]), blended[i], 5);
        }
    }

    [Fact]
    public void Problem_PatchOutsideTheImage_SaysWhere() =>
        Assert.Equal("the trigger's patch at row 3, column 4 of 2x2 pixels does not fit in 4x5 images",
            new Trigger([new TriggerPatch(3, 4, 2, 2)], null, 0).Problem(Shape));

    [Fact]
    public void LabelAt_PoisonsTheFirstRoundedFractionOfTheBatch()
    {
        var poisoning = new DataPoisoning(null, new Backdoor(new Trigger([], null, 1), 0.3125, 2));
        Assert.Equal(20, poisoning.Backdoor!.PoisonedCount(64)); // DBA: 20 of 64
        Assert.Equal(2, poisoning.LabelAt(5, 19, 64));
        Assert.Equal(5, poisoning.LabelAt(5, 20, 64));
    }
}

public class BackdoorAttackTests
{
    private static readonly AttackPopulation Images = new(10, 4, 10, [1, 28, 28]);

    private static IAttack Create(string name, AttackPopulation? population = null, Dictionary<string, string>? options = null) =>
        BuiltInAttacks.Create(name, population ?? Images, options);

    [Fact]
    public void BadNets_Defaults_SquareInTheBottomRightCornerTargetTwo()
    {
        var backdoor = Create("badnets").Poisoning!.Backdoor!;
        Assert.Equal([new TriggerPatch(23, 23, 4, 4)], backdoor.Trigger.Patches.ToArray());
        Assert.Equal(2, backdoor.Target);
        Assert.Equal(0.3125, backdoor.Fraction);
        Assert.Equal(1, Create("badnets").Goal!.Backdoor!.Fraction);
    }

    [Fact]
    public void Dba_Defaults_AreDbaMnistLocalTriggersOnePerClientInTurn()
    {
        // AI-secure/DBA utils/mnist_params.yaml: [[0,0]..[0,3]], [[0,6]..[0,9]], [[3,0]..[3,3]], [[3,6]..[3,9]].
        var attack = Create("dba");
        TriggerPatch[] parts = [new(0, 0, 1, 4), new(0, 6, 1, 4), new(3, 0, 1, 4), new(3, 6, 1, 4)];
        Assert.Equal(parts, attack.Goal!.Backdoor!.Trigger.Patches.ToArray());
        for (int k = 0; k < 6; k++)
        {
            Assert.Equal([parts[k % 4]], attack.PoisoningOf(k)!.Backdoor!.Trigger.Patches.ToArray());
        }
    }

    [Fact]
    public void Dba_MorePartsThanByzantineClients_IsAnErrorThatSaysWhy()
    {
        var error = Assert.Throws<ArgumentException>(() => Create("dba", new AttackPopulation(10, 2, 10, [1, 28, 28]), new() { ["parts"] = "4" }));
        Assert.Contains("parts (4) must not exceed f (2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dba_FewerByzantineThanFourParts_SplitsIntoOnePartEach() =>
        Assert.Equal(2, Create("dba", new AttackPopulation(10, 2, 10, [1, 28, 28])).Goal!.Backdoor!.Trigger.Patches.Length);

    [Fact]
    public void BadNets_OnTabularData_IsAnErrorThatSaysWhy()
    {
        var error = Assert.Throws<ArgumentException>(() => Create("badnets", new AttackPopulation(10, 2, 4, [8])));
        Assert.Contains("stamps a trigger on images", error.Message, StringComparison.Ordinal);
        Assert.Contains("shape [8]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BoundAlie_WithTooManyByzantine_IsAnErrorThatSaysWhy()
    {
        var error = Assert.Throws<ArgumentException>(() => Create("model-replacement", new AttackPopulation(10, 6, 10, [1, 28, 28]), new() { ["bound"] = "alie" }));
        Assert.Contains("ALIE's formula gives no z for n=10, f=6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelReplacement_ScalesEachOwnUpdateByNOverF()
    {
        // n = 10, f = 4: gamma = 2.5.
        var output = Craft(Create("model-replacement"), Matrices.ByzFlRows, 4, 10, out _, own: [[1, 2, 3], [0, -2, 4], [1, 1, 1], [2, 0, 0]]);
        Assert.Equal([2.5f, 5f, 7.5f, 0f, -5f, 10f, 2.5f, 2.5f, 2.5f, 5f, 0f, 0f], output);
    }

    [Fact]
    public void BoundAlie_ClampsEachCoordinateIntoMeanPlusMinusZStd()
    {
        // Honest rows [1,2,3], [4,5,6], [7,8,9]: mean [4,5,6], std 3. n = 7, f = 2: s = 2, z = Phi^-1(5/7) = 0.5659.
        var attack = Create("badnets", new AttackPopulation(7, 2, 10, [1, 28, 28]), new() { ["boost"] = "10", ["bound"] = "alie" });
        Assert.Equal(AttackKnowledge.OwnGradients | AttackKnowledge.HonestUpdates, attack.Requires);
        var output = Craft(attack, Matrices.ByzFlRows, 2, 7, out _, own: [[1, -1, 0.6f], [-1, 1, 0]]);
        double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 5.0 / 7);
        float Low(double mean) => (float)(mean - (3 * z));
        float High(double mean) => (float)(mean + (3 * z));

        // Boosted rows [10, -10, 6] and [-10, 10, 0]: only 6 lies inside its coordinate's band.
        Assert.Equal([High(4), Low(5), 6f, Low(4), High(5), Low(6)], output, new FloatComparer(1e-5f));
    }

    [Fact]
    public void Neurotoxin_ZeroesTheCoordinatesTheLastGlobalStepMovedMost()
    {
        var attack = Create("neurotoxin", options: new() { ["top"] = "0.4" });
        float[] own = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2];
        float[] first = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        float[] second = [0.5f, -3, 0, 0.1f, 2, 0, -0.2f, 0, 1, 0];
        var (output1, state) = Round(attack, own, first, null);
        Assert.Equal(own, output1); // nothing to learn from in the first round
        var (output2, _) = Round(attack, own, second, state);
        // Movement |theta_0 - theta_1|: the top 40% (4 of 10) are coordinates 1, 4, 8, 0.
        Assert.Equal([0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 2, 2, 0, 2, 2, 2, 0, 2], output2);
    }

    [Fact]
    public void NeurotoxinMask_TiesGoToTheLowerIndex() =>
        Assert.Equal([0, 1], BackdoorAttack.NeurotoxinMask([1, 1, 1, 0], [0, 0, 0, 0], 0.5));

    private static (float[] Output, AttackState? State) Round(IAttack attack, float[] own, float[] parameters, AttackState? state)
    {
        var output = new float[own.Length];
        var context = new AttackContext
        {
            Round = 0,
            Seed = 0,
            TotalClients = 10,
            ByzantineCount = 2,
            Dimension = parameters.Length,
            Parameters = parameters,
            OwnGradients = new RowMatrix(own, 2, parameters.Length),
            State = state,
        };
        var next = attack.Craft(context, output);
        return (output, next);
    }
}

public class TargetedLabelFlipTests
{
    [Fact]
    public void TargetedLabelFlip_Pairs_ChangeOnlyTheSources()
    {
        var attack = BuiltInAttacks.Create("targeted-label-flip", new(10, 2, Classes: 10), new Dictionary<string, string> { ["pairs"] = "[1->7, 3->5]" });
        Assert.Equal([0, 7, 2, 5, 4, 5, 6, 7, 8, 9], attack.Poisoning!.Labels!.Map.ToArray());
        Assert.Same(attack.Poisoning, attack.Goal);
    }

    [Fact]
    public void MultiLabelFlip_Defaults_AreMudHogOneTwoThreeToSeven() =>
        Assert.Equal([0, 7, 7, 7, 4, 5, 6, 7, 8, 9], BuiltInAttacks.Create("multi-label-flip", new(10, 2, Classes: 10)).Poisoning!.Labels!.Map.ToArray());

    [Fact]
    public void UntargetedLabelFlip_MeasuresNoSuccessRate() =>
        Assert.Null(BuiltInAttacks.Create("label-flip", new(10, 2, Classes: 10)).Goal);

    [Theory]
    [InlineData("[1->1]", "a source class must differ from its target (got 1->1)")]
    [InlineData("[1->7, 1->3]", "each source class may appear once")]
    [InlineData("[1->10]", "class labels must be in 0 .. 9 (got 1->10)")]
    [InlineData("1=>7", "expected pairs source->target of class labels")]
    public void TargetedLabelFlip_BadPairs_AreErrorsThatSayWhy(string pairs, string message)
    {
        Assert.Contains(message, CreateError("targeted-label-flip", new(10, 2, Classes: 10), new Dictionary<string, string> { ["pairs"] = pairs }), StringComparison.Ordinal);
    }
}
