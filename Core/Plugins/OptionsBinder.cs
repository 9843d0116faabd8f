namespace ByzantineSim.Core.Plugins;

/// <summary>
/// Binds a plug-in's raw options (scalar text values keyed by name, as read from YAML) into
/// typed values, collecting every problem instead of stopping at the first. Keys that no
/// parameter asked for are reported as unknown by <see cref="Complete"/>.
/// </summary>
public sealed class OptionsBinder
{
    private readonly IReadOnlyDictionary<string, string> _raw;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly List<PluginError> _errors = [];

    /// <summary>Creates a binder for the plug-in <paramref name="pluginName"/>.</summary>
    public OptionsBinder(string pluginName, IReadOnlyDictionary<string, string> raw)
    {
        PluginName = pluginName;
        _raw = raw;
    }

    /// <summary>
    /// Runs <paramref name="create"/> over a binder for <paramref name="raw"/>, then reports unknown
    /// keys: the one way every plug-in family binds its options.
    /// </summary>
    public static (T Value, System.Collections.Immutable.ImmutableArray<PluginError> Errors) Bind<T>(
        string pluginName, IReadOnlyDictionary<string, string> raw, Func<OptionsBinder, T> create)
    {
        var binder = new OptionsBinder(pluginName, raw);
        var value = create(binder);
        binder.Complete();
        return (value, [.. binder.Errors]);
    }

    /// <summary>Creates a binder over no options (all defaults).</summary>
    public static OptionsBinder Defaults(string pluginName) =>
        new(pluginName, new Dictionary<string, string>());

    /// <summary>The plug-in being configured.</summary>
    public string PluginName { get; }

    /// <summary>Every problem found so far.</summary>
    public IReadOnlyList<PluginError> Errors => _errors;

    /// <summary>True when a value was given for <paramref name="name"/>.</summary>
    public bool Has(string name) => _raw.ContainsKey(name);

    /// <summary>Reads <paramref name="parameter"/>, falling back to its default; records type and range errors.</summary>
    public T Get<T>(Parameter<T> parameter)
    {
        _known.Add(parameter.Name);
        if (!_raw.TryGetValue(parameter.Name, out string? text))
        {
            if (parameter.Required)
            {
                Error(null, $"option '{parameter.Name}' is required for {PluginName}");
            }

            return parameter.Default;
        }

        if (!ParameterText.TryParse(text, out T value))
        {
            Error(parameter.Name, ParameterText.Mismatch(typeof(T), text, parameter.TypeName));
            return parameter.Default;
        }

        if (parameter.Choices is { Count: > 0 } choices && !choices.Contains(text))
        {
            Error(parameter.Name, $"must be one of {string.Join(", ", choices)}, got '{text}'");
            return parameter.Default;
        }

        if (parameter.Check?.Invoke(value) is { } rule)
        {
            Error(parameter.Name, $"{rule} (got {text})");
            return parameter.Default;
        }

        return value;
    }

    /// <summary>Records a problem with option <paramref name="key"/> (null: the plug-in as a whole).</summary>
    public void Error(string? key, string message) => _errors.Add(new PluginError(key, message));

    /// <summary>Reports every given key that no parameter read; call after all <see cref="Get{T}"/> calls.</summary>
    public void Complete()
    {
        foreach (string key in _raw.Keys.Order(StringComparer.Ordinal))
        {
            if (!_known.Contains(key))
            {
                string known = _known.Count == 0 ? "it takes no options" : "known: " + string.Join(", ", _known.Order(StringComparer.Ordinal));
                string hint = NameSuggestion.DidYouMean(key, _known);
                Error(key, $"unknown option '{key}' for {PluginName}{hint}; {known}");
            }
        }
    }
}
