using System.Collections.Immutable;

namespace ByzantineSim.Experiments.Yaml;

/// <summary>Where a YAML node starts: file, 1-based line and column; line 0 stands for the whole file.</summary>
/// <param name="File">The file name as the user gave it.</param>
/// <param name="Line">1-based line, or 0 for a problem with the file itself (too large, not a regular file).</param>
/// <param name="Column">1-based column.</param>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => Line == 0 ? File : $"{File}:{Line}:{Column}";
}

/// <summary>
/// A YAML node that remembers where it came from, so every validation error can name the
/// file, line and column. Sweep expansion moves these nodes around unchanged, which keeps the
/// location of a value that came from a grid axis pointing at the axis entry.
/// </summary>
public abstract record YNode(SourceLocation Location)
{
    /// <summary>A short name of the node kind for error messages.</summary>
    public abstract string Kind { get; }
}

/// <summary>A scalar; <see cref="IsNull"/> for <c>~</c>, <c>null</c> or an empty plain value.</summary>
/// <param name="Value">The text.</param>
/// <param name="IsNull">The YAML null.</param>
/// <param name="Location">Where it starts.</param>
public sealed record YScalar(string Value, bool IsNull, SourceLocation Location) : YNode(Location)
{
    /// <summary>Quoted, a block scalar or tagged <c>!!str</c>: text even when it reads as a number or a bool.</summary>
    public bool IsText { get; init; }

    /// <inheritdoc />
    public override string Kind => IsNull ? "null" : "a scalar";
}

/// <summary>A YAML sequence (block or flow list) in the parsed tree.</summary>
/// <param name="Items">The elements, in document order.</param>
/// <param name="Location">Where it starts.</param>
public sealed record YSequence(ImmutableArray<YNode> Items, SourceLocation Location) : YNode(Location)
{
    /// <inheritdoc />
    public override string Kind => "a list";
}

/// <summary>A mapping with scalar keys, in document order.</summary>
/// <param name="Entries">Key-value pairs.</param>
/// <param name="Location">Where it starts.</param>
public sealed record YMapping(ImmutableArray<KeyValuePair<YScalar, YNode>> Entries, SourceLocation Location) : YNode(Location)
{
    /// <inheritdoc />
    public override string Kind => "a mapping";

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public YNode? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    /// <summary>
    /// The node at the dotted <paramref name="path"/> (e.g. <c>attack.name</c>), or its deepest
    /// ancestor present, so that an error about a default still points at the nearest line; null
    /// when not even the first key is present.
    /// </summary>
    public YNode? Deepest(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        YNode? found = null;
        YNode? current = this;
        foreach (string key in path.Split('.'))
        {
            current = (current as YMapping)?[key];
            if (current is null)
            {
                break;
            }

            found = current;
        }

        return found;
    }

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (added at the end if absent).</summary>
    public YMapping With(string key, YNode value, SourceLocation keyLocation)
    {
        int index = Entries.IndexOf(Entries.FirstOrDefault(e => e.Key.Value == key));
        var entry = new KeyValuePair<YScalar, YNode>(index >= 0 ? Entries[index].Key : new YScalar(key, false, keyLocation), value);
        return this with { Entries = index >= 0 ? Entries.SetItem(index, entry) : Entries.Add(entry) };
    }
}

/// <summary>Loads YAML text into <see cref="YNode"/>s, turning syntax errors and broken <see cref="YamlLimits"/> into <see cref="Specs.SpecError"/>s.</summary>
public static class YamlLoader
{
    /// <summary>Parses one YAML document; returns null and an error when the text is not valid YAML or breaks a limit.</summary>
    public static (YNode? Root, Specs.SpecError? Error) Parse(string text, string file) => YamlBuilder.Build(text, file);
}
