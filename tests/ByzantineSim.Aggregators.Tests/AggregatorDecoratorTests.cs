using ByzantineSim.Aggregators.FlTrust;
using ByzantineSim.Aggregators.FoolsGold;
using ByzantineSim.Aggregators.Mean;
using ByzantineSim.Aggregators.Median;
using ByzantineSim.Aggregators.Monna;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// A decorator is its inner rule under another name: every capability forwarded (each one set by
/// one of the rules below, unset by median), and the inner result when Aggregate is not overridden.
/// </summary>
public class AggregatorDecoratorTests
{
    private sealed class Renamed(IAggregator inner) : AggregatorDecorator<IAggregator>(inner, "renamed");

    private static readonly string[] RuleNames = ["median", "monna", "foolsgold", "fltrust", "mean"];

    public static TheoryData<string> Rules => new(RuleNames);

    private static IAggregator Rule(string name) => name switch
    {
        "median" => new MedianAggregator(2),
        "monna" => new MonnaAggregator(1, new MonnaOptions(3)),
        "foolsgold" => new FoolsGoldAggregator(1, new FoolsGoldOptions(1.0)),
        "fltrust" => new FlTrustAggregator(1),
        "mean" => new MeanAggregator(0),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void EveryCapability_IsTheInnerRules(string name)
    {
        var inner = Rule(name);
        IAggregator decorated = new Renamed(inner);
        Assert.Equal("renamed", decorated.Name);
        Assert.Equal(
            (inner.F, inner.Requirement, inner.TrustedInput, inner.NeedsIdentities, inner.Detects, inner.NeedsServerUpdate, inner.SupportsWeights),
            (decorated.F, decorated.Requirement, decorated.TrustedInput, decorated.NeedsIdentities, decorated.Detects, decorated.NeedsServerUpdate, decorated.SupportsWeights));
        Assert.All(Enumerable.Range(0, 12), n => Assert.Equal(inner.Accepts(n), decorated.Accepts(n)));
    }

    [Fact]
    public void TheRulesAbove_SetEveryCapabilityBetweenThem()
    {
        // So that the theory above cannot pass with a decorator that returns the interface's defaults.
        var rules = RuleNames.Select(Rule).ToList();
        Assert.Contains(rules, r => r.TrustedInput is not null);
        Assert.Contains(rules, r => r.NeedsIdentities);
        Assert.Contains(rules, r => r.Detects);
        Assert.Contains(rules, r => r.NeedsServerUpdate);
        Assert.Contains(rules, r => r.SupportsWeights);
    }

    [Fact]
    public void Aggregate_NotOverridden_GivesTheInnerResult()
    {
        float[] rows = [1, 10, 2, 20, 3, 30, 400, -400, 5, 50];
        var inputs = new RowMatrix(rows, 5, 2);
        var expected = new float[2];
        var actual = new float[2];
        new MedianAggregator(2).Aggregate(inputs, expected, AggregationContext.Stateless);
        new Renamed(new MedianAggregator(2)).Aggregate(inputs, actual, AggregationContext.Stateless);
        Assert.Equal([3f, 20f], expected);
        Assert.Equal(expected, actual);
    }
}
