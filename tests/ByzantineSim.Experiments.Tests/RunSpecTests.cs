using System.Collections.Immutable;
using System.Text;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Run ids cannot drift: every committed spec (experiments.yaml, experiments/*.yaml,
/// experiments/papers/*.yaml) and every committed run under docs/validation/runs must resolve to
/// the ids pinned in Data/run-ids.txt. An id is the hash of the canonical YAML, so a change to
/// how a spec is read or rendered (a key, a default, a number format, an enum's word) fails here
/// instead of silently orphaning existing results folders.
/// </summary>
public sealed class RunSpecTests
{
    private const string PinnedFile = "tests/ByzantineSim.Experiments.Tests/Data/run-ids.txt";

    /// <summary>Set to 1 to rewrite Data/run-ids.txt from this build (only when an id change is intended).</summary>
    private const string RegenerateVariable = "BYZSIM_REGENERATE_RUN_IDS";

    [Fact]
    public void Hash_EveryCommittedSpecAndValidationRun_MatchesPinnedIds()
    {
        string root = DocumentationTests.RepositoryRoot();
        string actual = CurrentIds(root);
        string pinnedPath = Path.Combine(root, PinnedFile);
        if (Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
        {
            File.WriteAllText(pinnedPath, actual);
        }

        var expected = File.ReadAllText(pinnedPath).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var lines = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(expected.Length > 150, $"{PinnedFile} pins only {expected.Length} runs");
        Assert.Equal(expected, lines);
    }

    [Fact]
    public void Hash_ValidationRun_IsTheIdInItsFolderNameAndSummary()
    {
        string root = DocumentationTests.RepositoryRoot();
        var runs = ValidationRuns(root).ToList();
        Assert.NotEmpty(runs);
        foreach (string folder in runs)
        {
            string name = Path.GetFileName(folder);
            string hash = RebuildFromSpecFile(folder).Spec.Hash();
            // A run whose sweep varies nothing is named by its hash alone.
            Assert.True(name == hash || name.EndsWith("-" + hash, StringComparison.Ordinal), $"{name} is not named by its hash {hash}");
            Assert.Contains($"\"spec_hash\": \"{hash}\"", File.ReadAllText(Path.Combine(folder, "summary.json")), StringComparison.Ordinal);
        }
    }

    /// <summary>One line per run: <c>file:index id</c> for sweep files, <c>folder id</c> for validation runs.</summary>
    private static string CurrentIds(string root)
    {
        var text = new StringBuilder();
        var specFiles = new[] { Path.Combine(root, "experiments.yaml") }
            .Concat(Directory.GetFiles(Path.Combine(root, "experiments"), "*.yaml").Order(StringComparer.Ordinal))
            .Concat(Directory.GetFiles(Path.Combine(root, "experiments", "papers"), "*.yaml").Order(StringComparer.Ordinal));
        foreach (string file in specFiles)
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            var plan = SweepLoader.Load(file);
            for (int i = 0; i < plan.Runs.Length; i++)
            {
                text.Append(relative).Append(':').Append(i).Append(' ').Append(plan.Runs[i].Id).Append('\n');
            }
        }

        foreach (string folder in ValidationRuns(root))
        {
            var run = RebuildFromSpecFile(folder);
            text.Append(Path.GetRelativePath(root, folder).Replace('\\', '/')).Append(' ').Append(run.Spec.Hash()).Append('\n');
        }

        return text.ToString();
    }

    private static IEnumerable<string> ValidationRuns(string root) =>
        Directory.GetDirectories(Path.Combine(root, "docs", "validation", "runs"))
            .SelectMany(Directory.GetDirectories)
            .Where(d => File.Exists(Path.Combine(d, "spec.yaml")))
            .Order(StringComparer.Ordinal);

    // ParseRun throws unless this build renders the file back byte for byte.
    private static RunPlan RebuildFromSpecFile(string folder) =>
        SweepLoader.ParseRun(Path.GetFileName(folder), File.ReadAllText(Path.Combine(folder, "spec.yaml")), ImmutableArray<AxisValue>.Empty);
}
