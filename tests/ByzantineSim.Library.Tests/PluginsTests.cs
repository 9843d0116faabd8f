using ByzantineSim.Aggregators;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Testing;

namespace ByzantineSim.Library.Tests;

public class PluginsTests
{
    public PluginsTests() => UserPlugins.Register();

    [Fact]
    public void Register_UserAggregator_ListedLikeABuiltInWithTheCommonOptionF()
    {
        var row = Assert.Single(Plugins.List("aggregators"), r => r.Name == UserPlugins.Median);
        Assert.Equal("coordinate-wise median written in a test, as a user would. Requires n > 2f. Yin et al., ICML 2018, arXiv 1803.01498", row.Description);
        Assert.Equal(["f"], row.Parameters.Select(p => p.Name));
        Assert.Contains(Plugins.List("aggregators"), r => r.Name == "krum");
    }

    [Fact]
    public void Register_UserAttack_ListedWithItsOption()
    {
        var row = Assert.Single(Plugins.List("attacks"), r => r.Name == UserPlugins.Attack);
        var scale = Assert.Single(row.Parameters);
        Assert.Equal(("scale", "number", "4"), (scale.Name, scale.TypeName, scale.DefaultText));
    }

    [Fact]
    public void Register_NameOfABuiltIn_Throws()
    {
        var krum = UserPlugins.MedianDescriptor with { Name = "krum" };
        var error = Assert.Throws<ArgumentException>(() => Plugins.Register(krum));
        Assert.StartsWith("aggregator 'krum' is registered twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_NameThatIsNotAPluginName_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Plugins.Register(UserPlugins.MedianDescriptor with { Name = "My Rule" }));
        Assert.Contains("'My Rule' must start with a lower-case letter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_UserAttackWithBadOption_RejectedByTheBuiltInBinderWithPathAndLine()
    {
        string message = BadSpecMessage("attack: { name: user-reverse, scale: -1, scael: 2 }");
        Assert.Contains("  - bad.yaml:4:40: base.attack.scale: must be > 0 (got -1)", message, StringComparison.Ordinal);
        Assert.Contains("  - bad.yaml:4:51: base.attack.scael: unknown option 'scael' for user-reverse (did you mean 'scale'?); known: scale", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_UserAggregatorWithNegativeF_RejectedByTheCommonOptionOfEveryAggregator()
    {
        Assert.Contains("  - bad.yaml:4:39: base.aggregator.f: must be >= 0 (got -1)", BadSpecMessage("aggregator: { name: user-median, f: -1 }"), StringComparison.Ordinal);
    }

    [Fact]
    public void LawKit_UserMedian_PassesEveryLaw()
    {
        var report = AggregatorLaws.Check(RuleUnderTest.For(UserPlugins.Median, f => new UserMedian(f)));
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Applicable > 100, report.ToString());
    }

    [Fact]
    public void LawKit_MeanPretendingToBeRobust_Fails()
    {
        var report = AggregatorLaws.Check(RuleUnderTest.For("pretend-robust-mean", f => new PretendRobustMean(f)));
        Assert.False(report.Passed);
        Assert.Contains(report.Failures, f => f.Contains("non-finite output", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(report.ThrowIfFailed);
    }

    [Fact]
    public void LawKit_SameArguments_SameReport()
    {
        var rule = RuleUnderTest.For("pretend-robust-mean", f => new PretendRobustMean(f));
        Assert.Equal([.. AggregatorLaws.Check(rule, 50, seed: 9).Failures], (string[])[.. AggregatorLaws.Check(rule, 50, seed: 9).Failures]);
    }

    [Fact]
    public void LawKit_BuiltInMedian_SameVerdictAsTheUserMedian()
    {
        // Independent reference: the shipped median and the user's agree to float rounding on every population.
        var shipped = AggregatorLaws.Check(new RuleUnderTest("median", new Dictionary<string, string>(), true, 1e-5), 100);
        Assert.True(shipped.Passed, shipped.ToString());
        var user = RuleUnderTest.For(UserPlugins.Median, f => new UserMedian(f));
        var random = new Core.Numerics.DeterministicRandom(3);
        for (int i = 0; i < 50; i++)
        {
            var scenario = new AggregatorScenario(7, 2, 5, random.NextUInt64(), ByzantineKind.Shifted, false);
            var data = scenario.Build();
            Assert.Equal(AggregatorLaws.Run(new RuleUnderTest("median", new Dictionary<string, string>(), true, 1e-5), data, 7, 2), AggregatorLaws.Run(user, data, 7, 2));
        }
    }

    /// <summary>
    /// The error message of the spec bad.yaml: sweep <c>bad</c>, 7 clients of which 1 Byzantine,
    /// and <paramref name="line"/> as the fourth line, in <c>base</c>.
    /// </summary>
    private static string BadSpecMessage(string line) =>
        Assert.Throws<SpecException>(() => Sweep.Parse($"sweep: bad\nbase:\n  clients: {{ n: 7, f: 1 }}\n  {line}\n", "bad.yaml")).Message;
}
