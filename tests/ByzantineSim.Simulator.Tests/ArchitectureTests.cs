using System.Reflection;

namespace ByzantineSim.Simulator.Tests;

/// <summary>Rules of the layout, checked by reflection (as NodaTime's MutabilityTest does).</summary>
public class ArchitectureTests
{
    [Theory]
    [InlineData(typeof(VectorPayload))]
    [InlineData(typeof(IAggregator))]
    [InlineData(typeof(IAttack))]
    [InlineData(typeof(Testing.AggregatorLaws))]
    public void PureLayers_ReferenceNeitherAkkaNorTorchSharp(Type marker)
    {
        var references = marker.Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, name => name.StartsWith("Akka", StringComparison.Ordinal) || name.StartsWith("TorchSharp", StringComparison.Ordinal));
    }

    [Fact]
    public void Dependencies_PointDownTheLayers()
    {
        static IEnumerable<string> Own(Type t) => t.Assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("ByzantineSim", StringComparison.Ordinal));
        Assert.Empty(Own(typeof(VectorPayload)));
        Assert.Equal(["ByzantineSim.Core"], Own(typeof(IAggregator)));
        Assert.Equal(["ByzantineSim.Aggregators", "ByzantineSim.Core"], Own(typeof(IAttack)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("ByzantineSim.Simulator", Own(typeof(Dataset)));
        // The law kit users test their own rules with needs only the pure layers.
        Assert.Equal(["ByzantineSim.Aggregators", "ByzantineSim.Core"], Own(typeof(Testing.AggregatorLaws)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ActorMessages_AreImmutableSealedRecordsWithoutArrays()
    {
        var messages = typeof(RoundStarted).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(RoundStarted).Namespace && t.IsClass && !t.IsNested)
            .ToList();
        Assert.NotEmpty(messages);
        foreach (var type in messages)
        {
            Assert.True(type.IsSealed, $"{type.Name} is not sealed");
            Assert.True(type.GetMethod("<Clone>$") is not null, $"{type.Name} is not a record");
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                bool initOnly = property.SetMethod is null
                    || property.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit");
                Assert.True(initOnly, $"{type.Name}.{property.Name} is settable");
                Assert.False(property.PropertyType.IsArray, $"{type.Name}.{property.Name} is an array");

                // The one writable buffer a message may carry: where a trainer writes a gradient (zero-copy hand-off).
                bool writable = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Memory<>);
                Assert.False(writable && (type, property.Name) != (typeof(ComputeGradient), nameof(ComputeGradient.Destination)), $"{type.Name}.{property.Name} is writable memory");
            }
        }
    }

    [Fact]
    public void EveryRegistryEntry_BindsWithDefaults()
    {
        foreach (var d in BuiltInAttacks.Registry.All)
        {
            Assert.Empty(BuiltInAttacks.Bind(d, new Dictionary<string, string>(), new AttackPopulation(10, 2, Classes: 10, SampleShape: [1, 28, 28])).Errors);
        }

        foreach (var d in BuiltInAggregators.Aggregators.All)
        {
            Assert.Empty(BuiltInAggregators.Bind(d, new Dictionary<string, string>(), 2).Errors);
        }

        foreach (var d in BuiltInAggregators.PreAggregators.All)
        {
            Assert.Empty(BuiltInAggregators.Bind(d, new Dictionary<string, string>(), 2).Errors);
        }

        foreach (var d in ModelCatalog.Registry.All)
        {
            Assert.Empty(ModelCatalog.Bind(d, new Dictionary<string, string>()).Errors);
        }

        foreach (var d in PartitionerCatalog.Registry.All)
        {
            Assert.Empty(PartitionerCatalog.Bind(d, new Dictionary<string, string>()).Errors);
        }

        // mnist, idx, csv and the published sets (CIFAR, EMNIST, LEAF) have no default location: their only error is the missing required option.
        foreach (var d in DatasetCatalog.Registry.All)
        {
            var errors = DatasetCatalog.Bind(d, new Dictionary<string, string>()).Errors;
            if (d.Name is "mnist" or "idx" or "csv" or "cifar-10" or "cifar-100" or "emnist" or "femnist" or "shakespeare")
            {
                Assert.StartsWith("option '", Assert.Single(errors).Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Empty(errors);
            }
        }

        foreach (var d in Clients.Compression.CompressorCatalog.Registry.All)
        {
            Assert.Empty(Clients.Compression.CompressorCatalog.Bind(d, new Dictionary<string, string>()).Errors);
        }
    }
}
