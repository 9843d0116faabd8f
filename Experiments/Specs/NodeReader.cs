using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Yaml;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads typed values out of <see cref="YNode"/>s and collects every problem as a
/// <see cref="SpecError"/> with its location and YAML path, instead of stopping at the first.
/// </summary>
/// <param name="origins">
/// Where nodes came from in the file (e.g. <c>grid.aggregator[1]</c>), by node identity; when an
/// error concerns a node listed here, that path is reported instead of the path in the merged run.
/// </param>
public sealed class NodeReader(IReadOnlyDictionary<YNode, string>? origins = null)
{
    private readonly List<SpecError> _errors = [];

    /// <summary>Everything found wrong so far.</summary>
    public IReadOnlyList<SpecError> Errors => _errors;

    /// <summary>Records a problem with <paramref name="node"/> at <paramref name="path"/>.</summary>
    public void Error(YNode node, string path, string message) =>
        _errors.Add(new SpecError(node.Location, origins is not null && origins.TryGetValue(node, out var origin) ? origin : path, message));

    /// <summary>Records several problems.</summary>
    public void AddRange(IEnumerable<SpecError> errors) => _errors.AddRange(errors);

    /// <summary>Views <paramref name="node"/> as a mapping; records an error and returns null otherwise.</summary>
    public MappingView? Mapping(YNode node, string path)
    {
        if (node is YMapping mapping)
        {
            return new MappingView(this, mapping, path);
        }

        Error(node, path, $"expected a mapping, got {Describe(node)}");
        return null;
    }

    /// <summary>Reads a scalar of type <typeparamref name="T"/>, then checks it; returns <paramref name="fallback"/> on error.</summary>
    public T Scalar<T>(YNode node, string path, T fallback, Func<T, string?>? check = null)
    {
        if (node is not YScalar { IsNull: false } scalar)
        {
            Error(node, path, $"expected {ParameterText.TypeName(typeof(T))}, got {Describe(node)}");
            return fallback;
        }

        if (scalar.IsText && typeof(T) != typeof(string))
        {
            Error(node, path, TextWhereTyped(ParameterText.TypeName(typeof(T)), scalar.Value));
            return fallback;
        }

        if (!ParameterText.TryParse(scalar.Value, out T value))
        {
            Error(node, path, ParameterText.Mismatch(typeof(T), scalar.Value));
            return fallback;
        }

        if (check?.Invoke(value) is { } rule)
        {
            Error(node, path, $"{rule} (got {scalar.Value})");
            return fallback;
        }

        return value;
    }

    /// <summary>Reads a list of scalars of type <typeparamref name="T"/>.</summary>
    public ImmutableArray<T> List<T>(YNode node, string path, Func<T, string?>? check = null)
    {
        if (node is not YSequence sequence)
        {
            Error(node, path, $"expected a list, got {Describe(node)}");
            return [];
        }

        return [.. sequence.Items.Select((item, i) => Scalar(item, $"{path}[{i}]", default(T)!, check))];
    }

    /// <summary>The message for a quoted or <c>!!str</c> scalar where a number, bool or list of numbers is expected.</summary>
    public static string TextWhereTyped(string typeName, string value) =>
        $"expected {typeName}, got the text '{value}' (quoted or tagged !!str); write {typeName} values without quotes";

    /// <summary>How a node is described in messages: its kind, and its text for scalars.</summary>
    public static string Describe(YNode node) => node switch
    {
        YScalar { IsNull: true } => "nothing (null)",
        YScalar scalar => $"'{scalar.Value}'",
        _ => node.Kind,
    };

    /// <summary>Joins a parent path and a key.</summary>
    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}

/// <summary>
/// A mapping being read: each key read is marked known, and <see cref="Finish"/> reports the
/// keys nobody asked for as unknown, with a "did you mean" suggestion.
/// </summary>
public sealed class MappingView(NodeReader reader, YMapping mapping, string path)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>The mapping's YAML path.</summary>
    public string Path { get; } = path;

    /// <summary>The mapping node.</summary>
    public YMapping Node { get; } = mapping;

    /// <summary>The path of a child key.</summary>
    public string PathOf(string key) => NodeReader.Join(Path, key);

    /// <summary>The node under <paramref name="key"/>, or null when absent (the key becomes known either way).</summary>
    public YNode? Get(string key)
    {
        _known.Add(key);
        return Node[key];
    }

    /// <summary>Reports <paramref name="message"/> at <paramref name="path"/>, on this mapping, when <paramref name="key"/> is absent (the key becomes known either way).</summary>
    public void Require(string key, string path, string message)
    {
        if (Get(key) is null)
        {
            reader.Error(Node, path, message);
        }
    }

    /// <summary>A scalar value, or <paramref name="fallback"/> when absent or invalid.</summary>
    public T Scalar<T>(string key, T fallback, Func<T, string?>? check = null) =>
        Get(key) is { } node ? reader.Scalar(node, PathOf(key), fallback, check) : fallback;

    /// <summary>An enum value written as one of <paramref name="words"/>, or <paramref name="fallback"/> when absent or invalid.</summary>
    public T Word<T>(string key, T fallback, SpecWords<T> words)
        where T : struct, Enum =>
        words.Parse(Scalar(key, words.Word(fallback), v => words.Parse(v) is null ? words.Rule : null)) ?? fallback;

    /// <summary>Reports unknown keys.</summary>
    public void Finish()
    {
        foreach (var (key, _) in Node.Entries)
        {
            if (!_known.Contains(key.Value))
            {
                reader.Error(key, PathOf(key.Value),
                    $"unknown key '{key.Value}'{NameSuggestion.DidYouMean(key.Value, _known)}; known: {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
            }
        }
    }
}
