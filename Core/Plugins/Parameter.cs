using System.Globalization;

namespace ByzantineSim.Core.Plugins;

/// <summary>A named, documented option of a plug-in, as listed by <c>byzsim list</c>.</summary>
public interface IParameter
{
    /// <summary>The YAML key (kebab-case or snake_case as documented).</summary>
    string Name { get; }

    /// <summary>Human-readable type: int, number, bool, text or one of a set of choices.</summary>
    string TypeName { get; }

    /// <summary>The default as text; for computed defaults a formula such as "n - f - 2".</summary>
    string DefaultText { get; }

    /// <summary>One line on what the option does.</summary>
    string Description { get; }
}

/// <summary>
/// A typed plug-in option with a default and an optional check. <paramref name="Check"/> returns
/// null when a value is acceptable and otherwise the rule it breaks (e.g. "must be > 0").
/// </summary>
/// <typeparam name="T">int, long, double, bool, string, or a nullable int/double for computed defaults.</typeparam>
public sealed record Parameter<T>(
    string Name,
    T Default,
    string Description,
    Func<T, string?>? Check = null,
    string? DefaultDescription = null,
    IReadOnlyList<string>? Choices = null,
    bool Required = false) : IParameter
{
    /// <inheritdoc />
    public string TypeName => Choices is { Count: > 0 } choices
        ? string.Join(" | ", choices)
        : ParameterText.TypeName(typeof(T));

    /// <inheritdoc />
    public string DefaultText => Required ? "required" : DefaultDescription ?? ParameterText.Format(Default);
}

/// <summary>Factories for parameter kinds that several plug-ins share.</summary>
public static class Parameter
{
    /// <summary>
    /// An optional count of at least <paramref name="minimum"/> whose default the plug-in computes
    /// from the run (n, f, ...): null when not given, <paramref name="defaultDescription"/> in listings.
    /// </summary>
    public static Parameter<int?> ComputedCount(string name, string description, int minimum, string defaultDescription) => new(
        name,
        null,
        description,
        value => value is null || value >= minimum ? null : $"must be >= {minimum}",
        DefaultDescription: defaultDescription);
}

/// <summary>Parsing and formatting of scalar option values, culture-invariant.</summary>
public static class ParameterText
{
    /// <summary>The display name of a parameter type.</summary>
    public static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(System.Collections.Immutable.ImmutableArray<int>) ? "list of int"
            : underlying == typeof(int) || underlying == typeof(long) ? "int"
            : underlying == typeof(double) || underlying == typeof(float) ? "number"
            : underlying == typeof(bool) ? "bool"
            : "text";
    }

    /// <summary>Formats a value the way YAML would write it.</summary>
    public static string Format<T>(T value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        System.Collections.Immutable.ImmutableArray<int> list => "[" + string.Join(", ", list) + "]",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// Why <see cref="TryParse{T}"/> refused <paramref name="text"/> as a <paramref name="type"/>:
    /// "expected number, got 'fast'", or "expected a finite number, got '1e400'" for a number that
    /// parses to an infinity. <paramref name="typeName"/> replaces the type's own name (a plug-in
    /// option's choices).
    /// </summary>
    public static string Mismatch(Type type, string text, string? typeName = null)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        bool infinite = underlying == typeof(double)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            && double.IsInfinity(d);
        return infinite ? $"expected a finite number, got '{text}'" : $"expected {typeName ?? TypeName(type)}, got '{text}'";
    }

    /// <summary>Parses <paramref name="text"/> as <typeparamref name="T"/>; false when it is not one (and for NaN and infinities).</summary>
    public static bool TryParse<T>(string text, out T value)
    {
        object? parsed = null;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        bool ok;
        if (type == typeof(int))
        {
            ok = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i);
            parsed = i;
        }
        else if (type == typeof(long))
        {
            ok = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l);
            parsed = l;
        }
        else if (type == typeof(double))
        {
            // "1e400" and "Infinity" parse to infinities; no setting takes one (YAML's .inf is text).
            ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d);
            parsed = d;
        }
        else if (type == typeof(bool))
        {
            ok = text is "true" or "false";
            parsed = text == "true";
        }
        else if (type == typeof(System.Collections.Immutable.ImmutableArray<int>))
        {
            // Lists arrive comma-separated (the YAML layer joins a sequence of scalars that way).
            var items = text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var list = new int[items.Length];
            ok = true;
            for (int k = 0; k < items.Length; k++)
            {
                ok &= int.TryParse(items[k], NumberStyles.Integer, CultureInfo.InvariantCulture, out list[k]);
            }

            parsed = System.Collections.Immutable.ImmutableArray.Create(list);
        }
        else if (type == typeof(string))
        {
            ok = true;
            parsed = text;
        }
        else
        {
            throw new NotSupportedException($"parameters of type {typeof(T)} are not supported");
        }

        value = ok ? (T)parsed! : default!;
        return ok;
    }
}
