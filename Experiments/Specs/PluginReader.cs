using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Yaml;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads plug-in choices (a bare name, or a mapping with <c>name</c> and options) into a
/// <see cref="PluginSpec"/> and the bound plug-in, through the plug-in's registry.
/// </summary>
internal static class PluginReader
{
    /// <summary>Reads the plug-in under <paramref name="key"/>, or binds <paramref name="defaultName"/> when it is absent.</summary>
    public static (PluginSpec? Spec, T? Value) Read<TDescriptor, T>(
        NodeReader reader,
        MappingView root,
        string key,
        string defaultName,
        PluginRegistry<TDescriptor> registry,
        Func<TDescriptor, IReadOnlyDictionary<string, string>, (T, ImmutableArray<PluginError>)> bind)
        where TDescriptor : IPluginDescriptor
        where T : class?
    {
        if (root.Get(key) is { } node)
        {
            return ReadAt(reader, node, key, registry, bind);
        }

        registry.TryGet(defaultName, out var descriptor);
        var (value, _) = bind(descriptor, new Dictionary<string, string>());
        return (PluginSpec.Named(defaultName), value);
    }

    /// <summary>Reads a plug-in node: a bare name, or a mapping with <c>name</c> and options.</summary>
    public static (PluginSpec? Spec, T? Value) ReadAt<TDescriptor, T>(
        NodeReader reader,
        YNode node,
        string path,
        PluginRegistry<TDescriptor> registry,
        Func<TDescriptor, IReadOnlyDictionary<string, string>, (T, ImmutableArray<PluginError>)> bind)
        where TDescriptor : IPluginDescriptor
        where T : class?
    {
        YScalar? nameNode;
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var optionNodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
        switch (node)
        {
            case YScalar { IsNull: false } scalar:
                nameNode = scalar;
                break;
            case YMapping mapping:
                nameNode = mapping["name"] as YScalar;
                if (nameNode is null or { IsNull: true })
                {
                    reader.Error(mapping, path, $"{English.A(registry.Kind)} needs a 'name'; known: {string.Join(", ", registry.Names)}");
                    return (null, null);
                }

                foreach (var (optionKey, optionValue) in mapping.Entries.Where(e => e.Key.Value != "name"))
                {
                    if (OptionText(optionValue) is { } text)
                    {
                        options[optionKey.Value] = text;
                        optionNodes[optionKey.Value] = optionValue;
                    }
                    else
                    {
                        reader.Error(optionValue, $"{path}.{optionKey.Value}", $"expected a value or a list of values, got {NodeReader.Describe(optionValue)}");
                    }
                }

                break;
            default:
                reader.Error(node, path, $"expected {English.A(registry.Kind)} name or a mapping with 'name', got {NodeReader.Describe(node)}");
                return (null, null);
        }

        if (!registry.TryGet(nameNode.Value, out var descriptor))
        {
            reader.Error(nameNode, node is YMapping ? $"{path}.name" : path, registry.UnknownMessage(nameNode.Value));
            return (null, null);
        }

        // Options reach the binder as text, so a quoted number would pass for a number: refuse it
        // here, and keep the binder's own complaint about the same option out of the list.
        var textWhereTyped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in descriptor.Parameters.Where(p => TypedParameters.Contains(p.TypeName)))
        {
            if (optionNodes.TryGetValue(parameter.Name, out var optionNode) && TextScalars(optionNode).FirstOrDefault() is { } text)
            {
                reader.Error(text, $"{path}.{parameter.Name}", NodeReader.TextWhereTyped(parameter.TypeName, text.Value));
                textWhereTyped.Add(parameter.Name);
            }
        }

        var (value, errors) = bind(descriptor, options);
        foreach (var error in errors.Where(e => e.Key is null || !textWhereTyped.Contains(e.Key)))
        {
            var at = error.Key is { } key && optionNodes.TryGetValue(key, out var optionNode) ? optionNode : node;
            reader.Error(at, error.Key is null ? path : $"{path}.{error.Key}", error.Message);
        }

        return (new PluginSpec(descriptor.Name, options.ToImmutableSortedDictionary(StringComparer.Ordinal)), value);
    }

    /// <summary>Type names of plug-in options that are not text.</summary>
    private static readonly string[] TypedParameters =
        [.. new[] { typeof(int), typeof(double), typeof(bool), typeof(ImmutableArray<int>) }.Select(ParameterText.TypeName)];

    private static IEnumerable<YScalar> TextScalars(YNode node) => node switch
    {
        YScalar { IsText: true } scalar => [scalar],
        YSequence sequence => sequence.Items.OfType<YScalar>().Where(i => i.IsText),
        _ => [],
    };

    /// <summary>Canonical text of an option: numbers normalised, lists as "[a, b]"; null for nested structures.</summary>
    private static string? OptionText(YNode node) => node switch
    {
        YScalar { IsNull: false } scalar => Normalise(scalar.Value),
        YSequence sequence when sequence.Items.All(i => i is YScalar { IsNull: false }) =>
            "[" + string.Join(", ", sequence.Items.Cast<YScalar>().Select(i => Normalise(i.Value))) + "]",
        _ => null,
    };

    private static string Normalise(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number)
            ? Canonical.Number(number)
            : text;

    /// <summary>Reads a list of plug-ins under <paramref name="key"/>, in order; absent is empty.</summary>
    public static (ImmutableArray<PluginSpec> Specs, ImmutableArray<T> Values) ReadList<TDescriptor, T>(
        NodeReader reader,
        MappingView root,
        string key,
        string kindPlural,
        PluginRegistry<TDescriptor> registry,
        Func<TDescriptor, IReadOnlyDictionary<string, string>, (T, ImmutableArray<PluginError>)> bind)
        where TDescriptor : IPluginDescriptor
        where T : class?
    {
        var specs = ImmutableArray.CreateBuilder<PluginSpec>();
        var values = ImmutableArray.CreateBuilder<T>();
        if (root.Get(key) is not { } node)
        {
            return ([], []);
        }

        if (node is not YSequence sequence)
        {
            reader.Error(node, key, $"expected a list of {kindPlural}, got {NodeReader.Describe(node)}");
            return ([], []);
        }

        for (int i = 0; i < sequence.Items.Length; i++)
        {
            var (spec, value) = ReadAt(reader, sequence.Items[i], $"{key}[{i}]", registry, bind);
            if (spec is not null && value is not null)
            {
                specs.Add(spec);
                values.Add(value);
            }
        }

        return (specs.ToImmutable(), values.ToImmutable());
    }
}
