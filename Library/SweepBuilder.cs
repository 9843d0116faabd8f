using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using ByzantineSim.Experiments.Yaml;

namespace ByzantineSim;

/// <summary>
/// Builds a sweep in code, mirroring a spec file section by section: <see cref="Set"/> writes
/// into <c>base</c>, <see cref="Grid"/> adds an axis to <c>grid</c> (the last added varies
/// fastest), <see cref="Seeds"/> is the <c>seed</c> axis, <see cref="Case"/> adds to <c>cases</c>.
/// Values are what YAML holds: strings, numbers and booleans, lists (any sequence) and mappings
/// (dictionaries with string keys, or <see cref="Plugin.Of"/>). Nothing is checked here:
/// <see cref="Build"/> hands the tree to the spec readers, whose errors point at the line of the
/// call that set each value (<c>Program.cs:14:1: grid.aggregator[1]: unknown aggregator 'krun'; did you mean 'krum'?</c>).
/// </summary>
public sealed class SweepBuilder
{
    private readonly SourceLocation _origin;
    private readonly string _file;
    private readonly YScalar _name;
    private YScalar? _description;
    private YMapping _base;
    private readonly List<KeyValuePair<YScalar, YNode>> _grid = [];
    private readonly List<YNode> _cases = [];

    internal SweepBuilder(string name, string file, int line)
    {
        _file = file.Length == 0 ? "code" : Path.GetFileName(file);
        _origin = new SourceLocation(_file, line, 1);
        _name = new YScalar(name, false, _origin);
        _base = new YMapping([], _origin);
    }

    /// <summary>Sets the sweep's <c>description</c>.</summary>
    public SweepBuilder Describe(string text, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        _description = new YScalar(text, false, At(file, line)) { IsText = true };
        return this;
    }

    /// <summary>
    /// Sets <paramref name="path"/> (dotted, e.g. <c>training.rounds</c> or <c>aggregator.neighbours</c>)
    /// in <c>base</c>, the settings of every run. A plug-in given by name (<c>aggregator: krum</c>)
    /// becomes <c>{name: krum}</c> when one of its options is set, as in a grid axis.
    /// </summary>
    public SweepBuilder Set(string path, object? value, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        var at = At(file, line);
        _base = Put(_base, path.Split('.'), ToNode(value, at), at);
        return this;
    }

    /// <summary>Adds the sweep axis <paramref name="path"/> with <paramref name="values"/>: runs are every combination of the axes.</summary>
    public SweepBuilder Grid(string path, IEnumerable<object?> values, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        var at = At(file, line);
        _grid.Add(new(new YScalar(path, false, at), ToNode(values, at)));
        return this;
    }

    /// <summary>Adds the <c>seed</c> axis: each setting runs once per seed.</summary>
    public SweepBuilder Seeds(IEnumerable<long> seeds, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Grid("seed", seeds.Cast<object?>(), file, line);

    /// <summary>Adds one extra run: <paramref name="settings"/> (path to value) applied to <c>base</c>.</summary>
    public SweepBuilder Case(IReadOnlyDictionary<string, object?> settings, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        var at = At(file, line);
        _cases.Add(ToNode(settings, at));
        return this;
    }

    /// <summary>Validates and expands the sweep; throws <see cref="Experiments.Specs.SpecException"/> listing every problem with its call site.</summary>
    public Sweep Build()
    {
        var entries = new List<KeyValuePair<YScalar, YNode>> { new(Key("sweep"), _name) };
        if (_description is not null)
        {
            entries.Add(new(Key("description"), _description));
        }

        entries.Add(new(Key("base"), _base));
        if (_grid.Count > 0)
        {
            entries.Add(new(Key("grid"), new YMapping([.. _grid], _origin)));
        }

        if (_cases.Count > 0)
        {
            entries.Add(new(Key("cases"), new YSequence([.. _cases], _origin)));
        }

        var root = new YMapping([.. entries], _origin);
        return Sweep.FromTree(root, _file, YamlText.Render(root));
    }

    private YScalar Key(string name) => new(name, false, _origin);

    private static SourceLocation At(string file, int line) => new(file.Length == 0 ? "code" : Path.GetFileName(file), line, 1);

    /// <summary>Sets a dotted path in a mapping; a scalar met on the way is a plug-in name and becomes <c>{name: ...}</c>.</summary>
    private static YMapping Put(YMapping mapping, ReadOnlySpan<string> path, YNode value, SourceLocation at)
    {
        if (path.Length == 1)
        {
            return mapping.With(path[0], value, at);
        }

        var child = mapping[path[0]] switch
        {
            YMapping existing => existing,
            YScalar { IsNull: false } name => new YMapping([new(new YScalar("name", false, name.Location), name)], name.Location),
            _ => new YMapping([], at),
        };
        return mapping.With(path[0], Put(child, path[1..], value, at), at);
    }

    /// <summary>A C# value as the YAML node a spec file would hold, located at the call site.</summary>
    internal static YNode ToNode(object? value, SourceLocation at) => value switch
    {
        null => new YScalar("", true, at),
        YNode node => node,
        string text => new YScalar(text, false, at),
        bool flag => new YScalar(flag ? "true" : "false", false, at),
        double number => new YScalar(number.ToString("R", CultureInfo.InvariantCulture), false, at),
        float number => new YScalar(number.ToString("R", CultureInfo.InvariantCulture), false, at),
        IFormattable number when IsNumber(number) => new YScalar(number.ToString(null, CultureInfo.InvariantCulture), false, at),
        IEnumerable<KeyValuePair<string, object?>> mapping => new YMapping(
            [.. mapping.Select(e => new KeyValuePair<YScalar, YNode>(new YScalar(e.Key, false, at), ToNode(e.Value, at)))], at),
        IEnumerable sequence => new YSequence([.. sequence.Cast<object?>().Select(item => ToNode(item, at))], at),
        _ => throw new ArgumentException(
            $"{at}: a spec value must be a string, number, bool, list or mapping (dictionary of string to value), got {value.GetType().Name}", nameof(value)),
    };

    private static bool IsNumber(object value) => value is int or long or short or byte or uint or ulong or ushort or sbyte or decimal;
}

/// <summary>Options of a plug-in, for <see cref="SweepBuilder"/>: <c>Plugin.Of("gaussian", ("sigma", 200))</c> is YAML's <c>{name: gaussian, sigma: 200}</c>.</summary>
public static class Plugin
{
    /// <summary>The mapping <c>{name: <paramref name="name"/>, option: value, ...}</c>.</summary>
    public static IReadOnlyDictionary<string, object?> Of(string name, params (string Option, object? Value)[] options)
    {
        var mapping = new OrderedMapping { ["name"] = name };
        foreach (var (option, value) in options)
        {
            mapping[option] = value;
        }

        return mapping;
    }

    /// <summary>A dictionary that enumerates in insertion order (so the YAML reads as written).</summary>
    private sealed class OrderedMapping : IReadOnlyDictionary<string, object?>
    {
        private readonly List<string> _keys = [];
        private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

        public object? this[string key]
        {
            get => _values[key];
            set
            {
                if (!_values.ContainsKey(key))
                {
                    _keys.Add(key);
                }

                _values[key] = value;
            }
        }

        public IEnumerable<string> Keys => _keys;

        public IEnumerable<object?> Values => _keys.Select(k => _values[k]);

        public int Count => _keys.Count;

        public bool ContainsKey(string key) => _values.ContainsKey(key);

        public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _keys.Select(k => KeyValuePair.Create(k, _values[k])).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>Writes a YAML tree back as text (block mappings, flow lists of scalars), for the <c>sweep.yaml</c> of a sweep built in code.</summary>
internal static class YamlText
{
    public static string Render(YNode root)
    {
        var text = new System.Text.StringBuilder();
        Write(text, root, 0);
        return text.ToString();
    }

    private static void Write(System.Text.StringBuilder text, YNode node, int indent)
    {
        string pad = new(' ', indent);
        switch (node)
        {
            case YMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    text.Append(pad).Append(Scalar(key)).Append(':');
                    if (Inline(value) is { } inline)
                    {
                        text.Append(' ').Append(inline).Append('\n');
                    }
                    else
                    {
                        text.Append('\n');
                        Write(text, value, indent + 2);
                    }
                }

                break;
            case YSequence sequence:
                foreach (var item in sequence.Items)
                {
                    if (Inline(item) is { } inline)
                    {
                        text.Append(pad).Append("- ").Append(inline).Append('\n');
                    }
                    else
                    {
                        text.Append(pad).Append("-\n");
                        Write(text, item, indent + 2);
                    }
                }

                break;
            default:
                text.Append(pad).Append(Inline(node)).Append('\n');
                break;
        }
    }

    // Scalars, flow lists of scalars and small flat mappings fit on one line.
    private static string? Inline(YNode node) => node switch
    {
        YScalar scalar => Scalar(scalar),
        YSequence sequence when sequence.Items.All(i => i is YScalar || (i is YMapping m && m.Entries.All(e => e.Value is YScalar))) =>
            "[" + string.Join(", ", sequence.Items.Select(Inline)) + "]",
        YMapping mapping when mapping.Entries.Length > 0 && mapping.Entries.All(e => e.Value is YScalar) && mapping.Entries.Any(e => e.Key.Value == "name") =>
            "{" + string.Join(", ", mapping.Entries.Select(e => $"{Scalar(e.Key)}: {Scalar((YScalar)e.Value)}")) + "}",
        _ => null,
    };

    private static string Scalar(YScalar scalar)
    {
        if (scalar.IsNull)
        {
            return "null";
        }

        string value = scalar.Value;
        bool plain = !scalar.IsText && value.Length > 0
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+' or '/' or '>')
            && value[0] is not ('-' or '>') || (!scalar.IsText && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        return plain ? value : "\"" + System.Text.Json.JsonEncodedText.Encode(value).ToString() + "\"";
    }
}
