using ByzantineSim.Testing;
using FsCheck.Xunit;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>The law suite of the style guide, run over every registered rule and pre-aggregator pipeline.</summary>
public class AggregatorLawTests
{
    private static bool Holds(Func<RuleUnderTest, string?> law)
    {
        var failures = AggregatorLaws.Rules.Select(law).OfType<string>().ToList();
        return failures.Count == 0 ? true : throw new Xunit.Sdk.XunitException(string.Join("\n", failures));
    }

    [Property(MaxTest = 40, Arbitrary = [typeof(AggregatorArbitraries)])]
    public bool EveryRule_InputsPermuted_SameOutput(AggregatorScenario scenario) =>
        Holds(rule => AggregatorLaws.PermutationInvariance(rule, scenario));

    [Property(MaxTest = 40, Arbitrary = [typeof(AgreementArbitraries)])]
    public bool EveryRobustRule_HonestRowsAgree_OutputIsTheHonestValue(AggregatorScenario scenario) =>
        Holds(rule => AggregatorLaws.Agreement(rule, scenario));

    [Property(MaxTest = 60, Arbitrary = [typeof(AggregatorArbitraries)])]
    public bool EveryRobustRule_AtMostFNonFiniteRows_OutputFinite(AggregatorScenario scenario) =>
        Holds(rule => AggregatorLaws.FiniteOutput(rule, scenario));

    [Fact]
    public void LawSuite_CoversEveryRegisteredRule()
    {
        var specs = AggregatorLaws.Rules.Select(r => r.Spec).ToHashSet();
        Assert.All(BuiltInAggregators.Aggregators.Names, name => Assert.Contains(name, specs));
        Assert.All(BuiltInAggregators.PreAggregators.Names, name => Assert.Contains(specs, s => s.StartsWith(name + ">", StringComparison.Ordinal)));
    }
}
