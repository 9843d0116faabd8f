using System.Text.RegularExpressions;
using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The specs the documentation and the repository ship are valid, so they cannot rot.</summary>
public partial class DocumentationTests
{
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ByzantineSim.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
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
                .Select(path => Path.GetRelativePath(RepositoryRoot(), path))),
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

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
