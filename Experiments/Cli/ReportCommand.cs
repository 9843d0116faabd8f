using System.CommandLine;
using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim report &lt;results-folder&gt;</c>: writes <c>report.html</c> (self-contained, offline)
/// and <c>figures/*.png|svg</c> into a sweep's results folder; <c>byzsim report --compare A B</c>
/// compares two results folders, before and after.
/// </summary>
public static class ReportCommand
{
    /// <summary>Creates the <c>byzsim report</c> command, which writes a sweep's report or compares two results folders, with its options and handler.</summary>
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo?>("results-folder")
        {
            Description = "a sweep's results folder, e.g. results/default",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var compare = new Option<DirectoryInfo[]>("--compare")
        {
            Description = "compare two results folders, before and after",
            HelpName = "BEFORE AFTER",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<FileInfo?>("--output", "-o")
        {
            Description = "with --compare: where to write the HTML (default: <BEFORE>/compare.html); a sweep's report is always <results-folder>/report.html",
        };
        var size = new Option<string>("--figure-size")
        {
            HelpName = "WIDTHxHEIGHT",
            Description = "pixel size of the PNG/SVG figures",
            DefaultValueFactory = _ => "800x500",
        };
        var command = new Command("report", "Write a sweep's report: one offline HTML file with tables and interactive figures, plus PNG/SVG figures")
        {
            folder, compare, output, size,
        };
        command.SetAction(parse =>
        {
            FigureSize figureSize;
            try
            {
                figureSize = FigureSize.Parse(parse.GetValue(size)!);
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"--figure-size: {ex.Message}");
                return Program.InvalidInput;
            }

            var pair = parse.GetValue(compare);
            var single = parse.GetValue(folder);
            if ((pair is null || pair.Length == 0) == (single is null))
            {
                Console.Error.WriteLine("give either a results folder or --compare BEFORE AFTER");
                return Program.InvalidInput;
            }

            if (single is not null && parse.GetValue(output) is not null)
            {
                Console.Error.WriteLine("--output goes with --compare; a sweep's report is written to <results-folder>/report.html beside its figures/");
                return Program.InvalidInput;
            }

            try
            {
                var written = pair is { Length: 2 }
                    ? CompareReport.Write(pair[0].ToString(), pair[1].ToString(), parse.GetValue(output)?.ToString() ?? Path.Combine(pair[0].ToString(), "compare.html"), figureSize)
                    : SweepReport.Write(single!.ToString(), figureSize);
                Print(written);
                return Program.Ok;
            }
            catch (FileNotFoundException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return Program.InvalidInput;
            }
        });
        return command;
    }

    /// <summary>Prints where a report went and how complete it is.</summary>
    public static void Print(ReportOutput written)
    {
        Console.WriteLine($"report: {written.Html} ({written.Figures} interactive figures, {written.StaticFiles.Length} PNG/SVG files; {written.Complete} of {written.Total} runs complete" +
            (written.Degenerate > 0 ? $", {written.Degenerate} of them degenerate: every aggregation failed" : "") + ")");
    }
}
