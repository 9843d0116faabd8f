using System.Collections.Immutable;
using System.CommandLine;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Validation;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim validation</c>: reads the published results and claims
/// (<c>experiments/papers/published.json</c>) and the results folders of the paper sweeps, and
/// writes the validation report (markdown) and its figures (PNG).
/// </summary>
public static class ValidationCommand
{
    /// <summary>Where the committed results of the ByzFL cross-check live (benchmarks/peers/byzfl_crosscheck.py writes them).</summary>
    public const string DefaultCrossCheck = "docs/validation/byzfl-crosscheck/results.csv";

    /// <summary>Creates the <c>byzsim validation</c> command, which writes the validation report, with its options and handler.</summary>
    public static Command Create()
    {
        var results = new Option<DirectoryInfo>("--results")
        {
            Description = "root folder of results (holds one folder per sweep)",
            DefaultValueFactory = _ => new DirectoryInfo("results"),
        };
        var published = new Option<FileInfo>("--published")
        {
            Description = "published numbers, claims and verdict rules",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("experiments", "papers", "published.json")),
        };
        var output = new Option<FileInfo>("--out")
        {
            Description = "the markdown report to write",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("docs", "VALIDATION.md")),
        };
        var figures = new Option<DirectoryInfo?>("--figures")
        {
            Description = "folder of the PNG figures [default: validation/ next to the report]",
        };
        var snapshot = new Option<DirectoryInfo?>("--snapshot")
        {
            Description = "also copy what the report reads (spec.yaml, metrics.csv, summary.json of every run) into this folder, "
                + "so the report can be regenerated from it with --results",
        };
        var crossCheck = new Option<FileInfo?>("--byzfl-results")
        {
            Description = "results of the cross-check against ByzFL (side,rule,attack,seed,steps,test_accuracy; notes.md beside it) "
                + $"[default: {DefaultCrossCheck} when it exists]",
        };
        var command = new Command("validation", "Write the validation report: published results beside ours, verdicts, figures")
        {
            results, published, output, figures, snapshot, crossCheck,
        };
        command.SetAction(parse =>
        {
            PublishedStudies studies;
            try
            {
                studies = PublishedStudies.Load(parse.GetValue(published)!.ToString());
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                Console.Error.WriteLine(ex.Message);
                return Program.InvalidInput;
            }

            var report = parse.GetValue(output)!;
            string reportFolder = report.Directory?.FullName ?? Directory.GetCurrentDirectory();
            string figureFolder = parse.GetValue(figures)?.FullName ?? Path.Combine(reportFolder, "validation");
            var evaluated = ImmutableArray.CreateBuilder<StudyResult>();
            try
            {
                foreach (var study in studies.Studies)
                {
                    string sweepFolder = Path.Combine(parse.GetValue(results)!.FullName, study.Sweep);
                    var runs = RunRecord.ReadSweep(sweepFolder);
                    if (parse.GetValue(snapshot) is { } target)
                    {
                        Snapshot(sweepFolder, Path.Combine(target.FullName, study.Sweep), runs);
                    }

                    var result = StudyResult.Evaluate(study, runs);
                    evaluated.Add(result);
                    ValidationFigures.Write(result, figureFolder);
                    Console.WriteLine($"{study.Id}: {runs.Length} completed runs, {result.Claims.Count(c => c.Outcome == ClaimOutcome.Holds)} of {result.Claims.Length} claims hold");
                }
            }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return Program.InvalidInput;
            }

            var sections = ImmutableArray<string>.Empty;
            string? crossCheckFile = parse.GetValue(crossCheck)?.ToString() ?? (File.Exists(DefaultCrossCheck) ? DefaultCrossCheck : null);
            if (crossCheckFile is not null)
            {
                try
                {
                    var check = PeerCrossCheck.Load(crossCheckFile, "byzfl");
                    sections = [check.ToMarkdown("System-level cross-check against ByzFL", crossCheckFile.Replace('\\', '/'))];
                    Console.WriteLine($"cross-check: {check.Runs.Length} runs, {check.Cells.Count(c => c.Verdict == "within")} of {check.Cells.Length} cells within ByzFL's spread");
                }
                catch (Exception ex) when (ex is InvalidDataException or IOException)
                {
                    Console.Error.WriteLine(ex.Message);
                    return Program.InvalidInput;
                }
            }

            string relativeFigures = Path.GetRelativePath(reportFolder, figureFolder).Replace('\\', '/');
            string commandLine = "byzsim validation" + string.Concat(parse.Tokens.Skip(1).Select(t => " " + t.Value));
            Directory.CreateDirectory(reportFolder);
            AtomicFile.Default.Write(report.FullName, ValidationReport.ToMarkdown(evaluated.ToImmutable(), relativeFigures, commandLine, sections));
            Console.WriteLine($"wrote {report} and figures in {figureFolder}");
            return Program.Ok;
        });
        return command;
    }

    private static void Snapshot(string sweepFolder, string target, ImmutableArray<RunRecord> runs)
    {
        foreach (var run in runs)
        {
            string to = Path.Combine(target, run.Id);
            Directory.CreateDirectory(to);
            // rounds.csv and clients.csv only serve detection measures: older run folders may lack them.
            foreach (string file in RunRecord.Files.Where(f => File.Exists(Path.Combine(sweepFolder, run.Id, f))))
            {
                File.Copy(Path.Combine(sweepFolder, run.Id, file), Path.Combine(to, file), overwrite: true);
            }
        }
    }
}
