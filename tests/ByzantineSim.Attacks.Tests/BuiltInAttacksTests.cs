using static ByzantineSim.Attacks.Tests.AttackTestKit;

namespace ByzantineSim.Attacks.Tests;

public class BuiltInAttacksTests
{
    [Fact]
    public void Registry_HoldsEveryAttackOfAlgorithmsMd() =>
        Assert.Equal(
            ["alie", "badnets", "bit-flip", "dba", "dissensus", "fang-krum", "fang-trim", "gaussian", "inf", "ipm", "label-flip", "label-permutation", "mimic",
                "min-max", "min-sum", "model-replacement", "multi-label-flip", "nan", "neurotoxin", "none", "opt-alie", "opt-fang", "opt-ipm",
                "sign-flip", "silent", "targeted-label-flip", "wrong-length"],
            BuiltInAttacks.Registry.Names.ToArray());

    [Fact]
    public void EveryEntry_BindsWithDefaults_AndDeclaresWhatItNeeds()
    {
        foreach (var descriptor in BuiltInAttacks.Registry.All)
        {
            var (attack, errors) = BuiltInAttacks.Bind(descriptor, new Dictionary<string, string>(), new AttackPopulation(25, 5, Classes: 10, SampleShape: [1, 28, 28]));
            Assert.Empty(errors);
            Assert.Equal(descriptor.Name, attack!.Name);
            Assert.Equal(descriptor.Requires, attack.Requires);
        }
    }

    [Fact]
    public void AttacksThatSendOneVector_WriteIdenticalRows_AndTheSameRowWhenGivenOne()
    {
        // The coalition trusts SendsOneVector: it passes one row and sends one shared payload.
        const int F = 3, Honest = 7;
        var random = new Random(5);
        var honest = Enumerable.Range(0, Honest).Select(_ => Enumerable.Range(0, 6).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var pipeline = new Aggregators.AggregationPipeline(Aggregators.BuiltInAggregators.Create("median", F));
        var declared = new List<string>();
        foreach (var descriptor in BuiltInAttacks.Registry.All)
        {
            var attack = BuiltInAttacks.Create(descriptor.Name, new AttackPopulation(Honest + F, F, Classes: 10, SampleShape: [1, 28, 28]));
            if (!attack.SendsOneVector)
            {
                continue;
            }

            declared.Add(attack.Name);
            var all = AttackTestKit.Craft(attack, honest, F, Honest + F, out _, pipeline: pipeline, honestIds: [.. Enumerable.Range(0, Honest)]);
            var one = AttackTestKit.Craft(attack, honest, F, Honest + F, out _, pipeline: pipeline, honestIds: [.. Enumerable.Range(0, Honest)], outputRows: 1);
            for (int k = 0; k < F; k++)
            {
                Assert.Equal(one, all.AsSpan(k * 6, 6).ToArray());
            }
        }

        Assert.Equal(["alie", "dissensus", "fang-krum", "ipm", "mimic", "min-max", "min-sum", "opt-alie", "opt-fang", "opt-ipm", "sign-flip"], declared);
    }

    [Fact]
    public void UnknownOption_ListsTheKnownOnes()
    {
        Assert.Contains("unknown option 'bound' for min-max; known: direction, start, tolerance", CreateError("min-max", new(10, 2), new Dictionary<string, string> { ["bound"] = "min" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Alie_AutomaticZWithoutAQuantile_IsAnError()
    {
        // EPFL-ML's formula at n = 2, f = 1: s = 1, the quantile (2 - 1 - 1) / (2 - 1) = 0 has no finite z.
        Assert.Contains("gives no z", CreateError("alie", new(2, 1), new Dictionary<string, string> { ["formula"] = "epfl" }), StringComparison.Ordinal);
    }
}
