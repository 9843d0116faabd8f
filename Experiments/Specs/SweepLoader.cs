using System.Collections.Immutable;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>A value of a sweep axis for one run, for labels and tables.</summary>
/// <param name="Axis">The axis path, e.g. <c>aggregator</c> or <c>partition.alpha</c>.</param>
/// <param name="Value">Its display value, e.g. <c>gaussian(sigma=200)</c>.</param>
public sealed record AxisValue(string Axis, string Value);

/// <summary>One run of a sweep, ready to execute.</summary>
/// <param name="Id">Stable id: a readable slug of its axis values plus the hash of its canonical spec.</param>
/// <param name="Spec">The resolved spec.</param>
/// <param name="Labels">Its axis values.</param>
/// <param name="Setup">What the simulator runs.</param>
public sealed record RunPlan(string Id, RunSpec Spec, ImmutableArray<AxisValue> Labels, RunSetup Setup);

/// <summary>A validated, expanded sweep.</summary>
/// <param name="File">The spec file.</param>
/// <param name="Name">Sweep name (the results sub-folder).</param>
/// <param name="Description">Free text, or empty.</param>
/// <param name="Axes">Axis paths in document order (grid axes, then keys only cases set).</param>
/// <param name="Runs">Every distinct run.</param>
public sealed record SweepPlan(string File, string Name, string Description, ImmutableArray<string> Axes, ImmutableArray<RunPlan> Runs);

/// <summary>
/// Parses a sweep file, expands it and validates every run, reporting all problems at once.
/// A sweep file has <c>sweep</c> (its name), optional <c>description</c>, <c>base</c> (settings
/// of every run), <c>grid</c> (explicit sweep axes: a dotted path into a run's settings mapped
/// to a list of values; runs are all combinations, the last axis varying fastest) and
/// <c>cases</c> (extra runs, each a mapping of paths to values applied to <c>base</c>).
/// </summary>
public static class SweepLoader
{
    private static readonly string[] TopLevelKeys = ["sweep", "description", "base", "grid", "cases"];

    /// <summary>
    /// Loads <paramref name="path"/>; throws <see cref="SpecException"/> listing every problem, or
    /// naming the file when it is not a regular file or is larger than <see cref="YamlLimits.MaxFileBytes"/>.
    /// <paramref name="settings"/> are <c>path=value</c> overrides (the CLI's <c>--set</c>)
    /// applied to every run after its grid and case values, e.g. <c>training.rounds=2</c> for a
    /// smoke run of a long sweep; a grid axis they set collapses (equal runs are merged).
    /// <paramref name="limits"/> bounds each run's estimated memory (default: none; sizes past
    /// what an array holds are refused anyway).
    /// <paramref name="catalog"/> holds the plug-ins a spec may name (default: the built-in ones).
    /// </summary>
    public static SweepPlan Load(string path, IReadOnlyList<string>? settings = null, ResourceLimits? limits = null, PluginCatalog? catalog = null) =>
        Parse(SpecFile.Read(path), path, settings, limits, catalog);

    /// <summary>Parses spec text; <paramref name="file"/> names it in errors; the rest as in <see cref="Load"/>.</summary>
    public static SweepPlan Parse(string text, string file, IReadOnlyList<string>? settings = null, ResourceLimits? limits = null, PluginCatalog? catalog = null)
    {
        var (root, syntaxError) = YamlLoader.Parse(text, file);
        if (syntaxError is not null)
        {
            throw new SpecException(file, [syntaxError]);
        }

        return Parse(root!, file, settings, limits, catalog);
    }

    /// <summary>
    /// Validates and expands a sweep given as a YAML tree (parsed from a file, or built in code with
    /// each node's location at its call site), exactly as <see cref="Parse(string, string, IReadOnlyList{string}?, ResourceLimits?, PluginCatalog?)"/>
    /// does for text; <paramref name="file"/> heads the error list.
    /// </summary>
    public static SweepPlan Parse(YNode root, string file, IReadOnlyList<string>? settings = null, ResourceLimits? limits = null, PluginCatalog? catalog = null)
    {
        var origins = new Dictionary<YNode, string>(ReferenceEqualityComparer.Instance);
        var reader = new NodeReader(origins);
        var top = reader.Mapping(root, "") ?? throw new SpecException(file, reader.Errors);
        string name = top.Scalar("sweep", "", v => IsSafeName(v) ? null : "must be a non-empty name of letters, digits, '-', '_' or '.'");
        if (top.Get("sweep") is null)
        {
            reader.Error(root, "sweep", "is required: the sweep's name, used as the results folder");
        }

        string description = top.Scalar("description", "");
        var baseNode = top.Get("base") ?? new YMapping([], root.Location);
        var baseMapping = reader.Mapping(baseNode, "base")?.Node;
        RecordOrigins(baseNode, "base", origins);

        var axes = ReadGrid(reader, top.Get("grid"), origins);
        var cases = ReadCases(reader, top.Get("cases"), origins);
        var forced = ReadSettings(reader, settings ?? [], origins);
        top.Finish();
        if (baseMapping is null)
        {
            throw new SpecException(file, reader.Errors);
        }

        // Go on even after errors: every run is read, so one pass reports every problem.
        var points = Expand(axes).Select(point => (Overrides: point, Labels: point)).ToList();
        points.AddRange(cases.Select(c => (Overrides: c, Labels: c)));

        var runs = new List<RunPlan>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (overrides, labels) in points)
        {
            var merged = overrides.Concat(forced).Aggregate(baseMapping, (mapping, o) => Apply(mapping, o.Path.Split('.'), o.Value));
            var result = RunReader.Read(reader, merged, "pending", catalog);
            if (result is not { } ok)
            {
                continue;
            }

            (limits ?? ResourceLimits.Unlimited).Check(reader, merged, ok.Setup);

            string hash = ok.Spec.Hash();
            // A --set override of an axis wins over the grid value, so the label (and the run id) shows what ran.
            var axisValues = labels
                .Select(l => new AxisValue(l.Path, Display(forced.LastOrDefault(o => o.Path == l.Path)?.Value ?? l.Value)))
                .ToImmutableArray();
            string id = Slug(axisValues, hash);
            if (seen.Add(hash))
            {
                runs.Add(new RunPlan(id, ok.Spec, axisValues, ok.Setup with { RunId = id }));
            }
        }

        if (reader.Errors.Count > 0)
        {
            throw new SpecException(file, reader.Errors);
        }

        var axisNames = axes.Select(a => a.Path).Concat(cases.SelectMany(c => c.Select(o => o.Path))).Distinct().ToImmutableArray();
        return new SweepPlan(file, name, description, axisNames, [.. runs]);
    }

    /// <summary>
    /// Rebuilds one run from its canonical spec text (what <c>spec.yaml</c> holds), as a worker
    /// node receives it. The rebuilt spec must reproduce the text exactly, so a worker never runs
    /// anything but the run the coordinator meant; otherwise this throws.
    /// </summary>
    /// <param name="runId">The run's id in its sweep (names its results folder).</param>
    /// <param name="canonicalSpec">The run's canonical spec text.</param>
    /// <param name="labels">The run's axis values, for its summary.</param>
    public static RunPlan ParseRun(string runId, string canonicalSpec, ImmutableArray<AxisValue> labels)
    {
        // The canonical text is itself a valid run mapping: nest it under `base` of a one-run sweep.
        var nested = new System.Text.StringBuilder("sweep: remote\nbase:\n");
        foreach (string line in canonicalSpec.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            nested.Append("  ").Append(line).Append('\n');
        }

        var run = Parse(nested.ToString(), $"spec of run {runId}").Runs.Single();
        if (run.Spec.ToCanonicalYaml() != canonicalSpec)
        {
            throw new InvalidDataException($"the spec of run {runId} does not round-trip: this build reads it as a different run (hash {run.Spec.Hash()})");
        }

        return run with { Id = runId, Labels = labels, Setup = run.Setup with { RunId = runId } };
    }

    /// <summary>An axis: its path and its values (each with its own YAML node).</summary>
    private sealed record Axis(string Path, ImmutableArray<YNode> Values);

    /// <summary>One override of a run's settings.</summary>
    private sealed record Override(string Path, YNode Value);

    private static List<Axis> ReadGrid(NodeReader reader, YNode? grid, Dictionary<YNode, string> origins)
    {
        var axes = new List<Axis>();
        if (grid is null || reader.Mapping(grid, "grid") is not { } view)
        {
            return axes;
        }

        foreach (var (key, value) in view.Node.Entries)
        {
            string path = $"grid.{key.Value}";
            if (!CheckPath(reader, key, path))
            {
                continue;
            }

            if (value is not YSequence { Items.Length: > 0 } sequence)
            {
                reader.Error(value, path, $"a sweep axis must be a non-empty list of values, got {NodeReader.Describe(value)}");
                continue;
            }

            // Two values with one label would be one run (or two runs the report cannot tell apart).
            var first = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < sequence.Items.Length; i++)
            {
                RecordOrigins(sequence.Items[i], $"{path}[{i}]", origins);
                string label = Display(sequence.Items[i]);
                if (!first.TryAdd(label, i))
                {
                    reader.Error(sequence.Items[i], $"{path}[{i}]", $"repeats {path}[{first[label]}] ({label}); an axis lists each value once");
                }
            }

            axes.Add(new Axis(key.Value, sequence.Items));
        }

        return axes;
    }

    private static List<ImmutableArray<Override>> ReadCases(NodeReader reader, YNode? casesNode, Dictionary<YNode, string> origins)
    {
        var cases = new List<ImmutableArray<Override>>();
        if (casesNode is null)
        {
            return cases;
        }

        if (casesNode is not YSequence sequence)
        {
            reader.Error(casesNode, "cases", $"expected a list of cases, got {NodeReader.Describe(casesNode)}");
            return cases;
        }

        for (int i = 0; i < sequence.Items.Length; i++)
        {
            string casePath = $"cases[{i}]";
            if (reader.Mapping(sequence.Items[i], casePath) is not { } view)
            {
                continue;
            }

            var overrides = ImmutableArray.CreateBuilder<Override>();
            foreach (var (key, value) in view.Node.Entries)
            {
                string path = $"{casePath}.{key.Value}";
                if (CheckPath(reader, key, path))
                {
                    RecordOrigins(value, path, origins);
                    overrides.Add(new Override(key.Value, value));
                }
            }

            cases.Add(overrides.ToImmutable());
        }

        return cases;
    }

    /// <summary>Reads <c>path=value</c> overrides; the value is YAML (<c>2</c>, <c>[1, 2]</c>, <c>{ name: iid }</c>).</summary>
    private static List<Override> ReadSettings(NodeReader reader, IReadOnlyList<string> settings, Dictionary<YNode, string> origins)
    {
        var overrides = new List<Override>();
        foreach (string setting in settings)
        {
            string source = $"--set {setting}";
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            var (key, keySyntax) = YamlLoader.Parse(equals > 0 ? setting[..equals].Trim() : setting, source);
            if (equals <= 0 || keySyntax is not null || key is not YScalar keyScalar)
            {
                reader.Error(key ?? new YScalar(setting, false, new SourceLocation(source, 1, 1)), "--set", $"must be path=value, got '{setting}'");
                continue;
            }

            var (value, valueSyntax) = YamlLoader.Parse(setting[(equals + 1)..], source);
            if (valueSyntax is not null || value is null)
            {
                reader.Error(keyScalar, "--set", $"'{setting[(equals + 1)..]}' is not a YAML value");
                continue;
            }

            if (CheckPath(reader, keyScalar, "--set"))
            {
                RecordOrigins(value, $"--set {keyScalar.Value}", origins);
                overrides.Add(new Override(keyScalar.Value, value));
            }
        }

        return overrides;
    }

    private static bool CheckPath(NodeReader reader, YScalar key, string path)
    {
        string first = key.Value.Split('.')[0];
        if (RunReader.Keys.Contains(first) && key.Value.Split('.').All(part => part.Length > 0))
        {
            return true;
        }

        reader.Error(key, path, UnknownSetting(key.Value));
        return false;
    }

    private static string UnknownSetting(string key) =>
        $"unknown setting '{key}'{NameSuggestion.DidYouMean(key.Split('.')[0], RunReader.Keys)}; known: {string.Join(", ", RunReader.Keys)}";

    private static IEnumerable<ImmutableArray<Override>> Expand(List<Axis> axes)
    {
        IEnumerable<ImmutableArray<Override>> points = [[]];
        foreach (var axis in axes)
        {
            points = points.SelectMany(point => axis.Values.Select(value => point.Add(new Override(axis.Path, value))));
        }

        return axes.Count == 0 ? [[]] : points;
    }

    /// <summary>
    /// Replaces the node at <paramref name="path"/>. A scalar met on the way (a plug-in given by
    /// name, e.g. <c>aggregator: krum</c> with an axis <c>aggregator.neighbours</c>) becomes
    /// <c>{name: krum}</c> so options can be set on it.
    /// </summary>
    private static YMapping Apply(YMapping mapping, ReadOnlySpan<string> path, YNode value)
    {
        if (path.Length == 1)
        {
            return mapping.With(path[0], value, value.Location);
        }

        var child = mapping[path[0]] switch
        {
            YMapping existing => existing,
            YScalar { IsNull: false } name => new YMapping([new(new YScalar("name", false, name.Location), name)], name.Location),
            _ => new YMapping([], value.Location),
        };
        return mapping.With(path[0], Apply(child, path[1..], value), value.Location);
    }

    private static void RecordOrigins(YNode node, string path, Dictionary<YNode, string> origins)
    {
        origins.TryAdd(node, path);
        switch (node)
        {
            case YMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    origins.TryAdd(key, $"{path}.{key.Value}");
                    RecordOrigins(value, $"{path}.{key.Value}", origins);
                }

                break;
            case YSequence sequence:
                for (int i = 0; i < sequence.Items.Length; i++)
                {
                    RecordOrigins(sequence.Items[i], $"{path}[{i}]", origins);
                }

                break;
        }
    }

    private static string Display(YNode node) => node switch
    {
        YScalar scalar => scalar.Value,
        YMapping mapping when mapping["name"] is YScalar name =>
            mapping.Entries.Count(e => e.Key.Value != "name") == 0
                ? name.Value
                : $"{name.Value}({string.Join(", ", mapping.Entries.Where(e => e.Key.Value != "name").Select(e => $"{e.Key.Value}={Display(e.Value)}"))})",
        YMapping mapping => string.Join(", ", mapping.Entries.Select(e => $"{e.Key.Value}={Display(e.Value)}")),
        YSequence sequence => "[" + string.Join(", ", sequence.Items.Select(Display)) + "]",
        _ => "?",
    };

    private static string Slug(ImmutableArray<AxisValue> labels, string hash)
    {
        var text = string.Join("-", labels.Select(l => l.Value));
        var slug = new string([.. text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '.' ? c : '-')]);
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        slug = slug.Trim('-');
        if (slug.Length > 60)
        {
            slug = slug[..60].TrimEnd('-');
        }

        return slug.Length == 0 ? hash : $"{slug}-{hash}";
    }

    private static bool IsSafeName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name is not ("." or "..");
}
