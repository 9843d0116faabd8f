using System.Collections.Immutable;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Experiments.Validation;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// The paper reproductions (experiments/papers/) cannot rot: published.json agrees with the
/// specs, and a smoke version of each (one round, one seed, through the CLI's documented
/// <c>--set</c> overrides) runs end to end and feeds the validation report.
/// </summary>
public sealed class PaperSpecsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byzsim-papers-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ByzantineSim.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static PublishedStudies Shipped() =>
        PublishedStudies.Load(Path.Combine(RepositoryRoot(), "experiments", "papers", "published.json"));

    public static TheoryData<string> StudyIds() => [.. Shipped().Studies.Select(s => s.Id)];

    [Theory]
    [MemberData(nameof(StudyIds))]
    public void Published_EveryCellSelectsRunsOfItsSpec_OnePerSeed(string id)
    {
        var study = Shipped().Studies.Single(s => s.Id == id);
        var plan = SweepLoader.Load(Path.Combine(RepositoryRoot(), study.Spec));
        Assert.Equal(study.Sweep, plan.Name);
        var runs = plan.Runs.Select(r => RunRecord.Flatten(r.Spec.ToCanonicalYaml())).ToList();
        foreach (var cell in study.Cells)
        {
            var matched = runs.Where(settings => cell.Where.All(w => settings.GetValueOrDefault(w.Key) == w.Value)).ToList();
            Assert.True(matched.Count > 0, $"{id}.{cell.Id} selects no run of {study.Spec}");
            Assert.True(matched.Select(m => m["seed"]).Distinct().Count() == matched.Count, $"{id}.{cell.Id} selects two runs with one seed");
        }
    }

    [Fact]
    public async Task SmokeRun_EveryPaperSpec_RunsAndFeedsTheReport()
    {
        string root = RepositoryRoot();
        var studies = Shipped().Studies;
        var plans = new Dictionary<string, SweepPlan>();
        foreach (var study in studies)
        {
            var sets = study.SmokeSettings.SelectMany(s => new[] { "--set", s });
            var outcome = await CliProcess.RunAsync(_folder,
                ["run", Path.Combine(root, study.Spec), "--results", "results", "--plain", "--parallel", "2", "--trainers", "2", .. sets]);
            Assert.True(outcome.ExitCode == 0, $"{study.Spec}: {outcome.Output}{outcome.Error}");

            var plan = SweepLoader.Load(Path.Combine(root, study.Spec), study.SmokeSettings);
            plans[study.Id] = plan;
            var folders = Directory.GetDirectories(Path.Combine(_folder, "results", study.Sweep));
            Assert.Equal(plan.Runs.Length, folders.Length);
            foreach (string folder in folders)
            {
                var lines = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
                Assert.Equal(3, lines.Length); // header, round 0, round 1
                Assert.True(File.Exists(Path.Combine(folder, "summary.json")), folder);
            }
        }

        string report = Path.Combine(_folder, "docs", "VALIDATION.md");
        var validation = await CliProcess.RunAsync(_folder,
            "validation", "--results", "results", "--published", Path.Combine(root, "experiments", "papers", "published.json"), "--out", report);
        Assert.True(validation.ExitCode == 0, validation.Output + validation.Error);
        string markdown = File.ReadAllText(report);
        foreach (var study in studies)
        {
            Assert.Contains($"## {study.Title}", markdown, StringComparison.Ordinal);
            foreach (var figure in study.Figures)
            {
                Assert.True(new FileInfo(Path.Combine(_folder, "docs", "validation", figure.File)).Length > 1000, figure.File);
            }

            // Every cell the smoke plan covers has exactly its one smoke run in the report's numbers.
            var result = StudyResult.Evaluate(study, RunRecord.ReadSweep(Path.Combine(_folder, "results", study.Sweep)));
            var smokeRuns = plans[study.Id].Runs.Select(r => RunRecord.Flatten(r.Spec.ToCanonicalYaml())).ToList();
            var covered = study.Cells.Where(c => smokeRuns.Any(run => c.Where.All(w => run.GetValueOrDefault(w.Key) == w.Value))).ToList();
            Assert.NotEmpty(covered);
            Assert.All(covered, c => Assert.Single(result.Cell(c.Id).Values));
        }
    }
}
