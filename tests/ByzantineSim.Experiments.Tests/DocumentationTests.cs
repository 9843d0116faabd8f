using System.Text.RegularExpressions;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The specs the documentation and the repository ship are valid, so they cannot rot.</summary>
public partial class DocumentationTests
{
    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ByzantineSim.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Set to 1 to rewrite the generated Defaults table of docs/experiments.md from <see cref="RunReader.Defaults"/>.</summary>
    private const string RegenerateDocsVariable = "BYZSIM_REGENERATE_DOCS";

    [Fact]
    public void ExperimentsDoc_DefaultsTable_IsGeneratedFromRunReaderDefaults()
    {
        string path = Path.Combine(RepositoryRoot(), "docs", "experiments.md");
        string doc = File.ReadAllText(path);
        const string heading = "## Defaults\n\n";
        int start = doc.IndexOf(heading, StringComparison.Ordinal) + heading.Length;
        Assert.True(start >= heading.Length, "docs/experiments.md has no '## Defaults' section");
        int end = doc.IndexOf("\n\n", start, StringComparison.Ordinal) + 1;
        string generated = RunReader.Defaults.MarkdownTable();
        if (Environment.GetEnvironmentVariable(RegenerateDocsVariable) == "1")
        {
            File.WriteAllText(path, doc[..start] + generated + doc[end..]);
            doc = File.ReadAllText(path);
            end = start + generated.Length;
        }

        Assert.Equal(generated, doc[start..end]);
    }

    [Fact]
    public void ExperimentsDoc_AnnotatedExample_IsAValidSpec()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "experiments.md"));
        string yaml = YamlBlock().Match(doc).Groups[1].Value;
        var plan = SweepLoader.Parse(yaml, "docs/experiments.md");
        Assert.Equal("my-study", plan.Name);
        Assert.True(plan.Runs.Length > 1);
    }

    public static TheoryData<string> ShippedSpecs() =>
    [
        .. new[] { "experiments.yaml" }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryRoot(), "experiments"), "*.yaml", SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(RepositoryRoot(), path))
                .Where(path => !path.StartsWith(PublishedSpecsTests.Folder, StringComparison.Ordinal))),
    ];

    [Theory]
    [MemberData(nameof(ShippedSpecs))]
    public void ShippedSpec_IsValid(string relativePath)
    {
        var plan = SweepLoader.Load(Path.Combine(RepositoryRoot(), relativePath));
        Assert.NotEmpty(plan.Runs);
    }

    [Fact]
    public void Readme_LinksIntoDocs_PointAtCommittedFiles()
    {
        // The report screenshot and the other docs the README shows must be in the repository.
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var links = DocsLink().Matches(readme).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("docs/report-default.png", links);
        Assert.All(links, link => Assert.True(File.Exists(Path.Combine(RepositoryRoot(), link)), $"README links to missing {link}"));
    }

    [GeneratedRegex(@"\]\((docs/[^)#]+)\)")]
    private static partial Regex DocsLink();

    [Theory]
    [MemberData(nameof(ShippedSpecs))]
    public void ShippedSpec_EveryRunReadsBackFromItsSpecYaml(string relativePath)
    {
        // What a cluster worker does with the spec text it receives.
        foreach (var run in SweepLoader.Load(Path.Combine(RepositoryRoot(), relativePath)).Runs)
        {
            var back = SweepLoader.ParseRun(run.Id, run.Spec.ToCanonicalYaml(), run.Labels);
            Assert.Equal(run.Spec.Hash(), back.Spec.Hash());
            Assert.Equal(run.Id, back.Setup.RunId);
        }
    }

    [Fact]
    public void ExperimentsDoc_AnnotatedExample_EveryRunReadsBackFromItsSpecYaml()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "experiments.md"));
        foreach (var run in SweepLoader.Parse(YamlBlock().Match(doc).Groups[1].Value, "docs/experiments.md").Runs)
        {
            Assert.Equal(run.Spec.Hash(), SweepLoader.ParseRun(run.Id, run.Spec.ToCanonicalYaml(), run.Labels).Spec.Hash());
        }
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    // Directories .gitignore excludes: build output and local results are not part of the repository.
    private static readonly HashSet<string> UntrackedDirectories =
        ["bin", "obj", "artifacts", "results", "BenchmarkDotNet.Artifacts", "TestResults", ".vs", ".idea", ".git"];

    private static readonly HashSet<string> BinaryExtensions =
        [".png", ".jpg", ".jpeg", ".gif", ".pdf", ".pfx", ".dll", ".exe", ".so", ".pdb", ".zip", ".gz", ".nupkg"];

    /// <summary>
    /// The places in <paramref name="text"/> that cite a file outside the repository: the team's
    /// algorithm notes by their bare file name (only the copy under docs/ is in the repository; a
    /// markdown link from a file in docs/ may name it relatively), or the shared folder next to
    /// the checkout.
    /// </summary>
    internal static IEnumerable<string> OutsideReferences(string relativePath, string text)
    {
        bool inDocs = relativePath.Replace('\\', '/').StartsWith("docs/", StringComparison.Ordinal);
        foreach (Match match in OutsideReference().Matches(text))
        {
            bool relativeDocsLink = inDocs && match.Index >= 2 && text.AsSpan(match.Index - 2, 2).SequenceEqual("](");
            if (!relativeDocsLink)
            {
                int line = text.AsSpan(0, match.Index).Count('\n') + 1;
                yield return $"{relativePath}:{line}: {match.Value}";
            }
        }
    }

    // Written so that this file does not match itself: no literal file name or folder path below.
    [GeneratedRegex(@"(?<!docs/)(?i:algorithms\.md)|(?<![\w-])shared(?=/)|\.\./shared\b")]
    private static partial Regex OutsideReference();

    private static IEnumerable<string> RepositoryTextFiles(string directory)
    {
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            if (!BinaryExtensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
            {
                yield return file;
            }
        }

        foreach (string child in Directory.EnumerateDirectories(directory))
        {
            if (!UntrackedDirectories.Contains(Path.GetFileName(child)))
            {
                foreach (string file in RepositoryTextFiles(child))
                {
                    yield return file;
                }
            }
        }
    }

    [Fact]
    public void Repository_CitesNoFileOutsideIt()
    {
        // The facts the code relies on live in docs/ALGORITHMS.md with their original sources; a
        // citation of the team's notes or the shared folder cannot be followed by a reader of the repository.
        string root = RepositoryRoot();
        var found = RepositoryTextFiles(root)
            .SelectMany(file => OutsideReferences(Path.GetRelativePath(root, file).Replace('\\', '/'), File.ReadAllText(file)))
            .ToList();
        Assert.True(found.Count == 0, "cites files outside the repository:\n" + string.Join('\n', found));
    }

    public static TheoryData<string, string> OutsideCitations() => new()
    {
        // The citations this test was written to remove (file names joined so that this file does not match).
        { "Attacks/Optimal/LineSearchOptions.cs", "/// <summary>The defaults (ByzFL's search as " + "ALGORITHMS" + ".md states it).</summary>" },
        { "docs/VALIDATION.md", "- Published numbers: the paper's table as quoted in the project's algorithm notes (" + "ALGORITHMS" + ".md)" },
        { "tests/X.cs", "a reference implementation's output in `../" + "shared" + "/oracle`" },
        { "README.md", "see the notes in " + "shared" + "/ALGORITHMS" + ".md" },
        { "tests/X.cs", "/work/" + "shared" + "/STYLE.md" },
    };

    [Theory]
    [MemberData(nameof(OutsideCitations))]
    public void OutsideReferences_CitationOfAFileOutsideTheRepository_IsFound(string path, string text) =>
        Assert.NotEmpty(OutsideReferences(path, text));

    [Theory]
    [InlineData("README.md", "Definitions and sources: [docs/ALGORITHMS.md](docs/ALGORITHMS.md).")]
    [InlineData("docs/VALIDATION.md", "see [the algorithms page](" + "ALGORITHMS" + ".md)")]
    [InlineData("Aggregators/X.cs", "PayloadPool.Shared, shared by every run, Directory.Build.props: shared build settings")]
    public void OutsideReferences_RepositoryPathsAndOrdinaryWords_AreNotFound(string path, string text) =>
        Assert.Empty(OutsideReferences(path, text));
}
