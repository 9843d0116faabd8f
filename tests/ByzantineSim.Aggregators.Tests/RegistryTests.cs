using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Aggregators.Tests;

public class RegistryTests
{
    [Fact]
    public void Registry_DuplicateName_Throws()
    {
        var descriptor = BuiltInAggregators.Aggregators.All.First();
        Assert.Throws<ArgumentException>(() => new PluginRegistry<AggregatorDescriptor>("aggregator", [descriptor, descriptor]));
    }

    [Fact]
    public void Registry_UnknownName_SuggestsClosest()
    {
        string message = BuiltInAggregators.Aggregators.UnknownMessage("krun");
        Assert.StartsWith("unknown aggregator 'krun' (did you mean 'krum'?); known: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownOption_ReportsItWithKnownOptions()
    {
        BuiltInAggregators.Aggregators.TryGet("krum", out var krum);
        var (_, errors) = BuiltInAggregators.Bind(krum, new Dictionary<string, string> { ["neighbors"] = "3" }, 1);
        var error = Assert.Single(errors);
        Assert.Equal("neighbors", error.Key);
        Assert.Equal("unknown option 'neighbors' for krum (did you mean 'neighbours'?); known: f, neighbours", error.Message);
    }

    [Fact]
    public void Bind_BadValue_ReportsRuleAndValue()
    {
        BuiltInAggregators.Aggregators.TryGet("centered-clipping", out var cc);
        var (_, errors) = BuiltInAggregators.Bind(cc, new Dictionary<string, string> { ["tau"] = "-1", ["iterations"] = "x" }, 1);
        Assert.Equal(["must be > 0 (got -1)", "expected int, got 'x'"], errors.Select(e => e.Message).Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void EveryRegisteredAggregator_BindsWithDefaults()
    {
        foreach (var descriptor in BuiltInAggregators.Aggregators.All)
        {
            var (aggregator, errors) = BuiltInAggregators.Bind(descriptor, new Dictionary<string, string>(), 1);
            Assert.Empty(errors);
            Assert.Equal(descriptor.Name, aggregator.Name);
        }
    }
}
