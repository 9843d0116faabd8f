using ByzantineSim.Experiments.Specs;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ByzantineSim.Experiments.Yaml;

/// <summary>
/// Builds <see cref="YNode"/>s from YamlDotNet's event stream with an explicit stack, checking
/// <see cref="YamlLimits"/> as events arrive. YamlDotNet's parser is iterative, but its
/// <c>YamlStream</c> loads nodes by recursion and leaves aliases for a recursive copy: deep
/// nesting or a self-referencing alias overflowed the stack, and alias bombs filled memory.
/// Here every alias costs the size of what it copies before it is copied, so a bomb is refused
/// after reading a few hundred bytes, and nothing deeper than the depth limit is ever built.
/// </summary>
internal sealed class YamlBuilder
{
    private const string CoreTags = "tag:yaml.org,2002:";
    private static readonly string[] ScalarTags = ["str", "int", "float", "bool", "null"];

    // The tags an error lists as known: the scalar ones, then the two collection tags, written from the one list above.
    private static readonly string KnownTags = string.Join(", ", ScalarTags.Append("seq").Append("map").Select(tag => "!!" + tag));
    private static readonly string[] NullWords = ["", "~", "null", "Null", "NULL"];

    private readonly string _file;
    private readonly Stack<Frame> _frames = new();
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);
    private int _documents;
    private int _aliases;
    private long _nodes;
    private YNode? _root;

    private YamlBuilder(string file) => _file = file;

    /// <summary>Parses one YAML document; returns null and the first problem when it is not valid or breaks a limit.</summary>
    public static (YNode? Root, SpecError? Error) Build(string text, string file)
    {
        var builder = new YamlBuilder(file);
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                if (builder.Accept(parser.Current!) is { } error)
                {
                    return (null, error);
                }
            }
        }
        catch (YamlException ex)
        {
            return (null, SyntaxError(ex, text, file));
        }

        return builder._root is null
            ? (null, new SpecError(new SourceLocation(file, 1, 1), "", "the file is empty"))
            : (builder._root, null);
    }

    /// <summary>A list or mapping being read: its children so far, its size and height with aliases expanded.</summary>
    private sealed class Frame(bool isMapping, string? anchor, SourceLocation location, string path)
    {
        public bool IsMapping { get; } = isMapping;
        public string? Anchor { get; } = anchor;
        public SourceLocation Location { get; } = location;
        public string Path { get; } = path;
        public List<YNode> Items { get; } = [];
        public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public YScalar? PendingKey { get; set; }
        public long Size { get; set; } = 1;
        public int Height { get; set; } = 1;
    }

    /// <summary>An anchored node with its expanded size (nodes) and height (levels).</summary>
    private sealed record Anchored(YNode Node, long Size, int Height);

    private SpecError? Accept(ParsingEvent e) => e switch
    {
        DocumentStart start => ++_documents > YamlLimits.MaxDocuments
            ? Error(start.Start, "", $"more than {YamlLimits.MaxDocuments} YAML document in the file (the limit): a spec file holds one sweep")
            : null,
        Scalar scalar => OnScalar(scalar),
        SequenceStart sequence => Open(false, sequence),
        MappingStart mapping => Open(true, mapping),
        SequenceEnd or MappingEnd => Close(),
        AnchorAlias alias => OnAlias(alias),
        _ => null,
    };

    private SpecError? OnScalar(Scalar e)
    {
        string? tag = Tag(e.Tag);
        if (tag is not null && !ScalarTags.Contains(tag))
        {
            return UnknownTag(e, tag);
        }

        // Quoted, block and !!str scalars are text: "5" is not the number 5 (docs/experiments.md).
        bool isText = tag == "str" || (tag is null && e.Style != ScalarStyle.Plain);
        bool isNull = tag == "null" || (tag is null && e.Style == ScalarStyle.Plain && NullWords.Contains(e.Value));
        var node = new YScalar(e.Value, isNull, Location(e.Start)) { IsText = isText };
        if (Count(e, 1) is { } tooMany)
        {
            return tooMany;
        }

        if (!e.Anchor.IsEmpty)
        {
            _anchors[e.Anchor.Value] = new Anchored(node, 1, 1);
        }

        return Add(node, 1, 1);
    }

    private SpecError? Open(bool isMapping, NodeEvent e)
    {
        string? tag = Tag(e.Tag);
        if (tag is not null && tag != (isMapping ? "map" : "seq"))
        {
            return UnknownTag(e, tag);
        }

        if (_frames.Count >= YamlLimits.MaxDepth)
        {
            return Error(e.Start, Shortened(ChildPath()), $"lists and mappings nest deeper than {YamlLimits.MaxDepth} levels (the limit)");
        }

        if (Count(e, 1) is { } tooMany)
        {
            return tooMany;
        }

        string? anchor = e.Anchor.IsEmpty ? null : e.Anchor.Value;
        if (anchor is not null)
        {
            _open.Add(anchor);
        }

        _frames.Push(new Frame(isMapping, anchor, Location(e.Start), ChildPath()));
        return null;
    }

    private SpecError? Close()
    {
        var frame = _frames.Pop();
        YNode node = frame.IsMapping ? new YMapping([.. frame.Entries], frame.Location) : new YSequence([.. frame.Items], frame.Location);
        if (frame.Anchor is { } anchor)
        {
            _open.Remove(anchor);
            _anchors[anchor] = new Anchored(node, frame.Size, frame.Height);
        }

        return Add(node, frame.Size, frame.Height);
    }

    private SpecError? OnAlias(AnchorAlias e)
    {
        string name = e.Value.Value;
        string path = ChildPath();
        if (_open.Contains(name))
        {
            return Error(e.Start, path, $"alias '*{name}' is inside its own anchor '&{name}': a recursive structure has no end");
        }

        if (!_anchors.TryGetValue(name, out var anchored))
        {
            return Error(e.Start, path, $"undefined alias '*{name}': no anchor '&{name}' comes before it");
        }

        if (++_aliases > YamlLimits.MaxAliases)
        {
            return Error(e.Start, path, $"more than {YamlLimits.MaxAliases} aliases (the limit)");
        }

        if (_frames.Count + anchored.Height > YamlLimits.MaxDepth)
        {
            return Error(e.Start, Shortened(path), $"alias '*{name}' makes lists and mappings nest deeper than {YamlLimits.MaxDepth} levels (the limit)");
        }

        if (Count(e, anchored.Size) is { } tooMany)
        {
            return tooMany;
        }

        // A fresh copy per use, as the sweep loader tells uses apart by node identity; the
        // copy's size was just paid for, and its depth is bounded.
        return Add(Copy(anchored.Node), anchored.Size, anchored.Height);
    }

    /// <summary>Adds a finished node to the list or mapping being read, or makes it the document.</summary>
    private SpecError? Add(YNode node, long size, int height)
    {
        if (_frames.Count == 0)
        {
            _root = node;
            return null;
        }

        var parent = _frames.Peek();
        parent.Size += size;
        parent.Height = Math.Max(parent.Height, height + 1);
        if (!parent.IsMapping)
        {
            parent.Items.Add(node);
            return null;
        }

        if (parent.PendingKey is { } key)
        {
            parent.Entries.Add(new(key, node));
            parent.PendingKey = null;
            return null;
        }

        if (node is not YScalar scalar)
        {
            parent.PendingKey = new YScalar("<complex key>", false, node.Location);
            return null;
        }

        string path = NodeReader.Join(parent.Path, scalar.Value);
        if (scalar is { Value: "<<", IsText: false })
        {
            return new SpecError(scalar.Location, path, "merge keys ('<<') are not supported: repeat the settings, or put shared ones in base");
        }

        if (!parent.Keys.Add(scalar.Value))
        {
            return new SpecError(scalar.Location, path, $"duplicate key '{scalar.Value}'");
        }

        parent.PendingKey = scalar with { IsNull = false };
        return null;
    }

    private SpecError? Count(ParsingEvent e, long nodes)
    {
        _nodes += nodes;
        return _nodes > YamlLimits.MaxNodes
            ? Error(e.Start, ChildPath(), $"the document expands to more than {YamlLimits.MaxNodes} values once aliases are expanded (the limit)")
            : null;
    }

    /// <summary>The YAML path of the node about to be added.</summary>
    private string ChildPath()
    {
        if (_frames.Count == 0)
        {
            return "";
        }

        var top = _frames.Peek();
        return !top.IsMapping ? $"{top.Path}[{top.Items.Count}]"
            : top.PendingKey is { } key ? NodeReader.Join(top.Path, key.Value)
            : top.Path;
    }

    /// <summary>A path cut to its first 60 characters, for errors about paths up to the depth limit long.</summary>
    private static string Shortened(string path) => path.Length <= 80 ? path : $"{path[..60]}...";

    /// <summary>The core tag's short name (<c>str</c> for <c>!!str</c>), the full tag otherwise, or null when untagged.</summary>
    private static string? Tag(TagName tag) =>
        tag.IsEmpty || tag.Value is "!" or "?" ? null
        : tag.Value.StartsWith(CoreTags, StringComparison.Ordinal) ? tag.Value[CoreTags.Length..]
        : tag.Value;

    private SpecError UnknownTag(NodeEvent e, string tag)
    {
        string shown = tag.StartsWith('!') || tag.Contains(':', StringComparison.Ordinal) ? tag : $"!!{tag}";
        return Error(e.Start, ChildPath(), $"unknown tag '{shown}' on {(e is Scalar ? "a scalar" : e is MappingStart ? "a mapping" : "a list")}; known: {KnownTags}");
    }

    private static YNode Copy(YNode node) => node switch
    {
        YMapping mapping => mapping with { Entries = [.. mapping.Entries.Select(e => new KeyValuePair<YScalar, YNode>(e.Key with { }, Copy(e.Value)))] },
        YSequence sequence => sequence with { Items = [.. sequence.Items.Select(Copy)] },
        _ => node with { },
    };

    private SpecError Error(Mark at, string path, string message) => new(Location(at), path, message);

    private SourceLocation Location(Mark mark) => new(_file, (int)mark.Line, (int)mark.Column);

    /// <summary>
    /// A syntax error at its place. YamlDotNet reports a tab used as indentation at 1:1, so that
    /// one is located here: the first tab in the leading whitespace of a line with content.
    /// </summary>
    private static SpecError SyntaxError(YamlException ex, string text, string file)
    {
        string message = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
        var at = new SourceLocation(file, (int)ex.Start.Line, (int)ex.Start.Column);
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentationTab(text) is var (line, column))
        {
            return new SpecError(new SourceLocation(file, line, column), "", "invalid YAML: a tab in indentation (YAML indents with spaces only)");
        }

        return new SpecError(at, "", $"invalid YAML: {message}");
    }

    private static (int Line, int Column)? FirstIndentationTab(string text)
    {
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int indent = line.Length - line.TrimStart(' ', '\t').Length;
            int tab = line.IndexOf('\t', 0, indent);
            string content = line[indent..].TrimEnd('\r');
            if (tab >= 0 && content.Length > 0 && !content.StartsWith('#'))
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }
}
