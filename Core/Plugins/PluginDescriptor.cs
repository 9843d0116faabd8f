using System.Collections.Immutable;

namespace ByzantineSim.Core.Plugins;

/// <summary>
/// Registry entry of a plug-in built from its options alone: a data set, a model, a partitioner
/// or a compressor (rules and attacks also take f or the population, so they have their own).
/// </summary>
/// <typeparam name="T">What the plug-in builds, e.g. <c>IModelDefinition</c>.</typeparam>
/// <param name="Name">Kebab-case YAML name.</param>
/// <param name="Summary">One line on what it is or produces.</param>
/// <param name="Parameters">Options with defaults (a catalog may add common options of its family).</param>
/// <param name="Create">Binds options.</param>
public sealed record PluginDescriptor<T>(
    string Name,
    string Summary,
    ImmutableArray<IParameter> Parameters,
    Func<OptionsBinder, T> Create) : IPluginDescriptor;
