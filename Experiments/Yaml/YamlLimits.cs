namespace ByzantineSim.Experiments.Yaml;

/// <summary>
/// Bounds on what a spec file may make the loader do, so that a small or hostile file cannot
/// exhaust memory or the stack ("billion laughs" aliases, thousands of nested brackets, a
/// device read for ever). Documented in docs/experiments.md; the shipped specs use a tiny
/// fraction of each.
/// </summary>
public static class YamlLimits
{
    /// <summary>Largest spec file read, in bytes (1 MiB; the shipped specs are under 3 KB).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>YAML documents per file: a spec is exactly one.</summary>
    public const int MaxDocuments = 1;

    /// <summary>Deepest nesting of lists and mappings, aliases expanded (the shipped specs reach 5).</summary>
    public const int MaxDepth = 64;

    /// <summary>Alias uses (<c>*name</c>) per file.</summary>
    public const int MaxAliases = 1_000;

    /// <summary>Nodes (scalars, lists, mappings) in the document once every alias is expanded.</summary>
    public const int MaxNodes = 100_000;
}
