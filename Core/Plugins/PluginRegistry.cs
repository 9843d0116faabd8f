using System.Collections.Frozen;
using System.Collections.Immutable;

namespace ByzantineSim.Core.Plugins;

/// <summary>What every registered plug-in describes about itself for validation and listings.</summary>
public interface IPluginDescriptor
{
    /// <summary>The kebab-case YAML name, e.g. <c>multi-krum</c>.</summary>
    string Name { get; }

    /// <summary>One line on what the plug-in does.</summary>
    string Summary { get; }

    /// <summary>The options it accepts, with defaults.</summary>
    ImmutableArray<IParameter> Parameters { get; }
}

/// <summary>
/// A frozen name-to-descriptor map built explicitly at start-up; registering a name twice throws.
/// No reflection scanning: what is registered is exactly what the builder was given.
/// </summary>
/// <typeparam name="TDescriptor">The plug-in family's descriptor type.</typeparam>
public sealed class PluginRegistry<TDescriptor>
    where TDescriptor : IPluginDescriptor
{
    private readonly FrozenDictionary<string, TDescriptor> _byName;

    /// <summary>Builds a registry of <paramref name="kind"/>s (e.g. "aggregator") from <paramref name="descriptors"/>.</summary>
    public PluginRegistry(string kind, IEnumerable<TDescriptor> descriptors)
    {
        Kind = kind;
        var byName = new Dictionary<string, TDescriptor>(StringComparer.Ordinal);
        foreach (var descriptor in descriptors)
        {
            if (!byName.TryAdd(descriptor.Name, descriptor))
            {
                throw new ArgumentException($"{kind} '{descriptor.Name}' is registered twice", nameof(descriptors));
            }
        }

        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        Names = [.. _byName.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>What this registry holds, e.g. "aggregator".</summary>
    public string Kind { get; }

    /// <summary>Registered names, sorted.</summary>
    public ImmutableArray<string> Names { get; }

    /// <summary>Every descriptor, sorted by name.</summary>
    public IEnumerable<TDescriptor> All => Names.Select(name => _byName[name]);

    /// <summary>Finds the descriptor registered under <paramref name="name"/>; false when none is.</summary>
    public bool TryGet(string name, out TDescriptor descriptor) => _byName.TryGetValue(name, out descriptor!);

    /// <summary>
    /// Looks <paramref name="name"/> up, binds <paramref name="options"/> with <paramref name="bind"/>
    /// and returns the plug-in; throws <see cref="ArgumentException"/> on an unknown name or bad
    /// options. For code and tests that build plug-ins directly rather than from a spec.
    /// </summary>
    public T Create<T>(
        string name,
        IReadOnlyDictionary<string, string>? options,
        Func<TDescriptor, IReadOnlyDictionary<string, string>, (T Value, ImmutableArray<PluginError> Errors)> bind)
    {
        if (!TryGet(name, out var descriptor))
        {
            throw new ArgumentException(UnknownMessage(name), nameof(name));
        }

        var (value, errors) = bind(descriptor, options ?? new Dictionary<string, string>());
        return errors.IsEmpty
            ? value
            : throw new ArgumentException($"{Kind} '{name}': " + string.Join("; ", errors.Select(e => e.Message)), nameof(options));
    }

    /// <summary>The message for an unknown name, listing the known ones with a suggestion.</summary>
    public string UnknownMessage(string name) =>
        $"unknown {Kind} '{name}'{NameSuggestion.DidYouMean(name, Names)}; known: {string.Join(", ", Names)}";
}
