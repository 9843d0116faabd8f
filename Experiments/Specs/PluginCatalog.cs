using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// The registries a spec is read against, one per plug-in family. <see cref="BuiltIn"/> holds
/// what ships with ByzantineSim; <c>With</c> adds a plug-in defined elsewhere (user code) and
/// returns a new catalog, so a spec can name it exactly like a built-in one: the same options
/// binding, validation and listing. Each registry stays frozen; a name registered twice (a
/// built-in one included) throws.
/// </summary>
/// <param name="Datasets">Data sets.</param>
/// <param name="Models">Models.</param>
/// <param name="Partitioners">Partitioners.</param>
/// <param name="PreAggregators">Pre-aggregation steps.</param>
/// <param name="Aggregators">Aggregation rules.</param>
/// <param name="Attacks">Attacks.</param>
/// <param name="Compressors">Update compressors.</param>
public sealed record PluginCatalog(
    PluginRegistry<PluginDescriptor<IDatasetSource>> Datasets,
    PluginRegistry<PluginDescriptor<IModelDefinition>> Models,
    PluginRegistry<PluginDescriptor<IPartitioner>> Partitioners,
    PluginRegistry<PreAggregatorDescriptor> PreAggregators,
    PluginRegistry<AggregatorDescriptor> Aggregators,
    PluginRegistry<AttackDescriptor> Attacks,
    PluginRegistry<PluginDescriptor<ICompressor>> Compressors)
{
    /// <summary>The plug-ins that ship with ByzantineSim (what the CLI reads specs against).</summary>
    public static PluginCatalog BuiltIn { get; } = new(
        DatasetCatalog.Registry,
        ModelCatalog.Registry,
        PartitionerCatalog.Registry,
        BuiltInAggregators.PreAggregators,
        BuiltInAggregators.Aggregators,
        BuiltInAttacks.Registry,
        CompressorCatalog.Registry);

    /// <summary>This catalog plus the aggregator <paramref name="descriptor"/>; throws <see cref="ArgumentException"/> if its name is taken.</summary>
    public PluginCatalog With(AggregatorDescriptor descriptor) => this with { Aggregators = Add(Aggregators, descriptor) };

    /// <summary>This catalog plus the pre-aggregator <paramref name="descriptor"/>; throws <see cref="ArgumentException"/> if its name is taken.</summary>
    public PluginCatalog With(PreAggregatorDescriptor descriptor) => this with { PreAggregators = Add(PreAggregators, descriptor) };

    /// <summary>This catalog plus the attack <paramref name="descriptor"/>; throws <see cref="ArgumentException"/> if its name is taken.</summary>
    public PluginCatalog With(AttackDescriptor descriptor) => this with { Attacks = Add(Attacks, descriptor) };

    /// <summary>This catalog plus the model <paramref name="descriptor"/>; throws <see cref="ArgumentException"/> if its name is taken.</summary>
    public PluginCatalog With(PluginDescriptor<IModelDefinition> descriptor) => this with { Models = Add(Models, descriptor) };

    /// <summary>This catalog plus the data set <paramref name="descriptor"/>; throws <see cref="ArgumentException"/> if its name is taken.</summary>
    public PluginCatalog With(PluginDescriptor<IDatasetSource> descriptor) => this with { Datasets = Add(Datasets, descriptor) };

    private static PluginRegistry<T> Add<T>(PluginRegistry<T> registry, T descriptor)
        where T : IPluginDescriptor
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!IsPluginName(descriptor.Name))
        {
            throw new ArgumentException($"{registry.Kind} name '{descriptor.Name}' must start with a lower-case letter and hold only lower-case letters, digits, '-' and '_' (e.g. my-rule)", nameof(descriptor));
        }

        return new PluginRegistry<T>(registry.Kind, [.. registry.All, descriptor]);
    }

    // Named like the built-ins (multi-krum, cnn_mnist), so a name never needs quoting in YAML,
    // reads as a name and not a number, and never holds the '>' of a pipeline spec.
    private static bool IsPluginName(string name) =>
        name.Length > 0 && char.IsAsciiLetterLower(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');
}
