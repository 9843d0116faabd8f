using System.Globalization;
using System.Text.Json;

namespace ByzantineSim.TestKit;

/// <summary>
/// One case of a differential-oracle file (format: the folder's README): a rule or attack named
/// as in our registries, its options, its inputs and the reference implementation's output.
/// </summary>
/// <param name="File">The file the case came from (name only).</param>
/// <param name="Id">The case's id, unique within its file.</param>
/// <param name="Kind"><c>aggregator</c>, <c>pre-aggregator</c> or <c>attack</c>.</param>
/// <param name="Name">The registry name.</param>
/// <param name="Options">Options as registry strings (numbers in their JSON spelling).</param>
/// <param name="N">Number of inputs (honest plus Byzantine).</param>
/// <param name="F">Number of Byzantine inputs.</param>
/// <param name="D">Dimension.</param>
/// <param name="Inputs">The rows, row-major: n x d (attacks: the n - f honest rows).</param>
/// <param name="Output">The reference output, row-major (pre-aggregators: n x d; others: d).</param>
/// <param name="Tied">True when the reference's output depends on how it breaks an exact tie.</param>
public sealed record OracleCase(
    string File,
    string Id,
    string Kind,
    string Name,
    IReadOnlyDictionary<string, string> Options,
    int N,
    int F,
    int D,
    float[] Inputs,
    double[] Output,
    bool Tied)
{
    /// <summary>The key a theory row carries: <c>file:id</c>.</summary>
    public string Key => $"{File}:{Id}";

    /// <inheritdoc />
    public override string ToString() => Key;
}

/// <summary>
/// Finds the oracle folder and reads its cases. The folder is the environment variable
/// <c>BYZSIM_ORACLE_DIR</c> when set; otherwise the folder <c>oracle</c> of a folder <c>shared</c>
/// beside the repository root or beside any further ancestor (the default), and then the same search
/// from the repository this one was cloned from when that is a local path (CI runs on a clone in
/// a temporary folder). A missing folder is an error, never an empty list.
/// </summary>
public static class OracleCases
{
    /// <summary>The environment variable that names the oracle folder.</summary>
    public const string DirectoryVariable = "BYZSIM_ORACLE_DIR";

    /// <summary>The kinds of case the test projects run.</summary>
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { "aggregator", "pre-aggregator", "attack" };

    private static readonly Lazy<(IReadOnlyList<OracleCase> Cases, string? Error)> All = new(Load);

    /// <summary>Every case of every <c>*.json</c> file, in file then case order; throws with the reason when the folder is missing or a file is malformed.</summary>
    public static IReadOnlyList<OracleCase> Cases => All.Value.Error is { } error ? throw new InvalidOperationException(error) : All.Value.Cases;

    /// <summary>
    /// Theory rows (one <c>file:id</c> key per case of the given kinds). When the folder cannot be
    /// read, a single row holding the reason, so that the theory fails with it instead of passing empty.
    /// </summary>
    public static IEnumerable<object[]> Keys(params string[] kinds) =>
        All.Value.Error is { } error
            ? [[$"unavailable: {error}"]]
            : All.Value.Cases.Where(c => kinds.Contains(c.Kind)).Select(c => new object[] { c.Key });

    /// <summary>The case with the given key; throws with the reason when the oracle is unavailable.</summary>
    public static OracleCase Get(string key) =>
        key.StartsWith("unavailable: ", StringComparison.Ordinal)
            ? throw new InvalidOperationException(key["unavailable: ".Length..])
            : Cases.Single(c => c.Key == key);

    /// <summary>The oracle folder, or null with the places searched.</summary>
    public static (string? Directory, string Searched) Locate()
    {
        string? configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return (System.IO.Directory.Exists(configured) ? Path.GetFullPath(configured) : null, $"{DirectoryVariable}={configured}");
        }

        string root = RepositoryRoot();
        var starts = new List<string> { root };
        if (ClonedFrom(root) is { } origin)
        {
            starts.Add(origin);
        }

        var searched = new List<string>();
        foreach (string start in starts)
        {
            for (var directory = new DirectoryInfo(start).Parent; directory is not null; directory = directory.Parent)
            {
                string candidate = Path.Combine(directory.FullName, "shared", "oracle");
                searched.Add(candidate);
                if (System.IO.Directory.Exists(candidate))
                {
                    return (candidate, string.Join(", ", searched));
                }
            }
        }

        return (null, string.Join(", ", searched));
    }

    /// <summary>The repository root: the nearest ancestor of the test binaries holding ByzantineSim.sln.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "ByzantineSim.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no ByzantineSim.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The local path of the repository's <c>origin</c> remote, when it is a folder on this machine.</summary>
    private static string? ClonedFrom(string root)
    {
        string config = Path.Combine(root, ".git", "config");
        if (!System.IO.File.Exists(config))
        {
            return null;
        }

        bool inOrigin = false;
        foreach (string raw in System.IO.File.ReadLines(config))
        {
            string line = raw.Trim();
            if (line.StartsWith('['))
            {
                inOrigin = line == "[remote \"origin\"]";
            }
            else if (inOrigin && line.StartsWith("url", StringComparison.Ordinal) && line.IndexOf('=') is var equals and > 0)
            {
                string url = line[(equals + 1)..].Trim();
                url = url.StartsWith("file://", StringComparison.Ordinal) ? url["file://".Length..] : url;
                return Path.IsPathRooted(url) && System.IO.Directory.Exists(url) ? url : null;
            }
        }

        return null;
    }

    private static (IReadOnlyList<OracleCase> Cases, string? Error) Load()
    {
        var (directory, searched) = Locate();
        if (directory is null)
        {
            return ([], $"differential oracle folder not found (looked at {searched}); set {DirectoryVariable} to the folder holding the reference *.json files");
        }

        var files = System.IO.Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            return ([], $"differential oracle folder {directory} holds no *.json file");
        }

        var cases = new List<OracleCase>();
        foreach (string path in files)
        {
            try
            {
                cases.AddRange(Read(path));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return ([], $"{path}: {e.Message}");
            }
        }

        var duplicate = cases.GroupBy(c => c.Key).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? (cases, null) : ([], $"case {duplicate.Key} appears {duplicate.Count()} times");
    }

    private static IEnumerable<OracleCase> Read(string path)
    {
        using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        string file = Path.GetFileName(path);
        foreach (var element in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            string kind = element.GetProperty("kind").GetString()!;
            var options = element.GetProperty("options").EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => p.Value.GetRawText(),
                },
                StringComparer.Ordinal);
            bool tied = element.TryGetProperty("tied", out var t) && t.ValueKind == JsonValueKind.True;
            var inputs = element.GetProperty(kind == "attack" ? "honest" : "inputs");
            yield return new OracleCase(
                file,
                element.GetProperty("id").GetString()!,
                kind,
                element.GetProperty("name").GetString()!,
                options,
                element.GetProperty("n").GetInt32(),
                element.GetProperty("f").GetInt32(),
                element.GetProperty("d").GetInt32(),
                [.. Flatten(inputs).Select(v => (float)v)],
                [.. Flatten(element.GetProperty("output"))],
                tied);
        }
    }

    private static IEnumerable<double> Flatten(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().SelectMany(Flatten) : [element.GetDouble()];
}

/// <summary>
/// The comparison of the oracle test: |ours - ref| &lt;= 1e-4 (1 + |ref|) per coordinate. When
/// that fails, the case's conditioning is measured: the rule runs again on the inputs rescaled by
/// 1 + k 2^-22 (k = -8..8), far below the tolerance for any rule continuous in its inputs, and
/// which keeps equal values equal (so ties stay ties), and the outputs are scaled back. If they spread by more
/// than the tolerance, rounding alone decides the answer (an iterative rule whose trajectory is
/// chaotic) and the case passes only if, per coordinate, ours and the reference differ by no more
/// than that spread plus the tolerance; a well-conditioned case must agree.
/// </summary>
public static class OracleComparison
{
    /// <summary>Relative tolerance per coordinate.</summary>
    public const double Tolerance = 1e-4;

    private const int Scales = 8;

    /// <summary>Null when <paramref name="ours"/> agrees with the case's reference, otherwise why not.</summary>
    public static string? Check(OracleCase c, float[] ours, Func<float[], float[]> rerun)
    {
        if (ours.Length != c.Output.Length)
        {
            return $"{c}: {c.Kind} '{c.Name}' wrote {ours.Length} values, the reference has {c.Output.Length}";
        }

        int worst = Worst(c.Output, ours, out double excess);
        if (excess <= 1)
        {
            return null;
        }

        var low = ours.Select(v => (double)v).ToArray();
        var high = (double[])low.Clone();
        for (int k = -Scales; k <= Scales; k++)
        {
            if (k == 0)
            {
                continue;
            }

            float scale = 1f + (k * MathF.Pow(2, -22));
            var output = rerun([.. c.Inputs.Select(v => v * scale)]);
            for (int j = 0; j < low.Length; j++)
            {
                double back = output[j] / (double)scale;
                low[j] = Math.Min(low[j], back);
                high[j] = Math.Max(high[j], back);
            }
        }

        double spread = Enumerable.Range(0, low.Length).Max(k => (high[k] - low[k]) / Allowed(c.Output[k]));
        bool inside = Enumerable.Range(0, low.Length).All(k => Math.Abs(ours[k] - c.Output[k]) <= high[k] - low[k] + Allowed(c.Output[k]));
        string where = $"coordinate {worst}: ours {ours[worst].ToString("G9", CultureInfo.InvariantCulture)}, reference {c.Output[worst].ToString("G9", CultureInfo.InvariantCulture)}, {excess:G3} x the tolerance";
        if (spread <= 1)
        {
            return $"{c} ({c.Kind} '{c.Name}', n={c.N}, f={c.F}, d={c.D}): {where}; the case is well conditioned (rescaling the inputs by 1 +- 2^-19 moves the output by {spread:G2} x the tolerance)";
        }

        return inside
            ? null
            : $"{c} ({c.Kind} '{c.Name}', n={c.N}, f={c.F}, d={c.D}): {where}; ill-conditioned (rescaling the inputs by 1 +- 2^-19 moves the output by {spread:G3} x the tolerance) but ours and the reference differ by more than that spread";
    }

    private static double Allowed(double reference) => Tolerance * (1 + Math.Abs(reference));

    private static int Worst(double[] reference, float[] ours, out double excess)
    {
        int worst = 0;
        excess = 0;
        for (int k = 0; k < ours.Length; k++)
        {
            double e = float.IsFinite(ours[k]) ? Math.Abs(ours[k] - reference[k]) / Allowed(reference[k]) : double.PositiveInfinity;
            if (e > excess || (k == 0 && double.IsNaN(e)))
            {
                excess = double.IsNaN(e) ? double.PositiveInfinity : e;
                worst = k;
            }
        }

        return worst;
    }
}
