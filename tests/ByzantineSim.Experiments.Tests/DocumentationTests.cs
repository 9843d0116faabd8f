using System.Text.RegularExpressions;
using ByzantineSim.Experiments.Specs;

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
}
