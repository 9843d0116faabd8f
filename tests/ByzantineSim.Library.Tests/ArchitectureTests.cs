namespace ByzantineSim.Library.Tests;

/// <summary>The library sits on top of the layers: it uses Experiments and the law kit, no test code, and no layer uses it.</summary>
public class ArchitectureTests
{
    [Fact]
    public void Library_BuildsOnExperiments_NeverOnTestCode()
    {
        var references = typeof(Sweep).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("ByzantineSim.Experiments", references);
        Assert.DoesNotContain(references, n => n.EndsWith(".Tests", StringComparison.Ordinal) || n == "ByzantineSim.TestKit" || n.StartsWith("xunit", StringComparison.Ordinal));
    }

    [Fact]
    public void NoLayer_ReferencesTheLibrary()
    {
        Type[] layers =
        [
            typeof(Core.Numerics.VectorPayload), typeof(Aggregators.IAggregator), typeof(Attacks.IAttack), typeof(Clients.Data.Dataset),
            typeof(Simulator.SimulatorSystem), typeof(Experiments.Specs.SweepLoader), typeof(Testing.AggregatorLaws),
        ];
        Assert.All(layers, t => Assert.DoesNotContain("ByzantineSim", t.Assembly.GetReferencedAssemblies().Select(a => a.Name)));
    }
}
