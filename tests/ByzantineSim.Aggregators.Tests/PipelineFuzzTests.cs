using FsCheck.Xunit;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// The fuzz suite of the robust pipeline: adversarial rows of every extreme kind (huge values of
/// either sign, near float.MaxValue, subnormal, NaN/Inf mixed in, copies of honest rows) against
/// every robust aggregator and pre-aggregator pipeline.
/// </summary>
public class PipelineFuzzTests
{
    [Property(MaxTest = 150, Arbitrary = [typeof(AdversarialArbitraries)])]
    public bool EveryRobustPipeline_AtMostFAdversarialRows_FiniteAndOnTheHonestScale(AdversarialScenario scenario)
    {
        var failures = PipelineFuzz.Pipelines.Select(rule => PipelineFuzz.Check(rule, scenario)).OfType<string>().ToList();
        return failures.Count == 0 ? true : throw new Xunit.Sdk.XunitException(string.Join("\n", failures));
    }

    /// <summary>The reliability issue's reproduction at the kernel: n = 11, f = 2, two equal rows of -1e20.</summary>
    [Theory]
    [InlineData("cge")]
    [InlineData("clipping>mean")]
    [InlineData("arc>mean")]
    public void NegativeHugeRows_SameVector_NotLetThrough(string spec)
    {
        var scenario = new AdversarialScenario(11, 2, 40, 5, [AdversarialKind.HugeNegative, AdversarialKind.HugeNegative], Same: true);
        var rule = PipelineFuzz.Pipelines.Single(r => r.Spec == spec);
        Assert.Null(PipelineFuzz.Check(rule, scenario));
    }

    [Fact]
    public void FuzzSuite_CoversEveryRegisteredRuleAndPreAggregator()
    {
        var specs = PipelineFuzz.Pipelines.Select(r => r.Spec).ToList();
        Assert.All(BuiltInAggregators.Aggregators.Names.Where(name => name != "mean"), name => Assert.Contains(name, specs));
        Assert.All(BuiltInAggregators.PreAggregators.Names, pre => Assert.Contains(specs, s => s.StartsWith(pre + ">", StringComparison.Ordinal)));
    }

    [Fact]
    public void FuzzSuite_EveryPipelineAcceptsSomeScenarioOfTheGenerator()
    {
        // A pipeline that never accepts the generator's n and f would pass the property vacuously.
        var unexercised = PipelineFuzz.Pipelines
            .Where(rule => !Enumerable.Range(1, 3).Any(f => Enumerable.Range((2 * f) + 1, (4 * f) + 7).Any(n => rule.Create(f).Accepts(n))))
            .Select(rule => rule.Spec)
            .ToList();
        Assert.Empty(unexercised);
    }

    [Theory]
    [InlineData(-1e20f)]
    [InlineData(1e20f)]
    [InlineData(-3e38f)]
    public void RowsNorm_OverflowingRow_IsItsMagnitudeWhateverTheSign(float value)
    {
        var row = Enumerable.Repeat(value, 16).ToArray();
        double expected = Math.Abs((double)value) * 4;
        Assert.Equal(expected, Rows.Norm(row), expected * 1e-12);
    }

    [Fact]
    public void RowsNorm_LargestMagnitudeNegative_IsPositive()
    {
        float[] row = [3e38f, -3.2e38f, 1e38f];
        double expected = Math.Sqrt((3e38 * 3e38) + (3.2e38 * 3.2e38) + (1e38 * 1e38));
        Assert.Equal(expected, Rows.Norm(row), expected * 1e-6);
    }
}
