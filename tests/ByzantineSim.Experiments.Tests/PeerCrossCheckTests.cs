using ByzantineSim.Experiments.Validation;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The ByzFL cross-check section of the validation report, on a small fabricated results file with known numbers.</summary>
public sealed class PeerCrossCheckTests() : TempFolderTest("byzsim-crosscheck-")
{
    // Three cells: median within ByzFL's range (ours 71 in 70..74), krum above it (ours 80 vs max
    // 76: 4.0 points), trimmed mean with no run of ours.
    private const string Results = """
        side,rule,attack,seed,steps,test_accuracy
        byzfl,median,alie,1,100,0.70
        byzfl,median,alie,2,100,0.74
        byzfl,median,alie,3,100,0.72
        ours,median,alie,1,100,0.70
        ours,median,alie,2,100,0.72
        byzfl,krum,ipm,1,100,0.75
        byzfl,krum,ipm,2,100,0.76
        ours,krum,ipm,1,100,0.80
        byzfl,trimmed-mean,mimic,1,100,0.60

        """;

    private string Write(string results, bool notes = true)
    {
        string path = Path.Combine(Folder, "results.csv");
        File.WriteAllText(path, results);
        if (notes)
        {
            File.WriteAllText(Path.Combine(Folder, "notes.md"), "Settings: toy.\n");
        }

        return path;
    }

    [Fact]
    public void Verdicts_WithinAboveAndNotRun()
    {
        var check = PeerCrossCheck.Load(Write(Results), "byzfl");
        Assert.Equal(["within", "above by 4.0", "not run"], check.Cells.Select(c => c.Verdict));
        Assert.Equal([70, 72], check.Cells[0].Ours.Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void Verdict_BelowTheRange_SaysByHowMuch()
    {
        var cell = new PeerCell("median", "alie", [70.0, 74.0], [60.0, 61.0]);
        Assert.Equal("below by 9.5", cell.Verdict);
    }

    [Fact]
    public void Markdown_RendersTheTableWithMeanAndRange()
    {
        string markdown = PeerCrossCheck.Load(Write(Results), "byzfl").ToMarkdown("Cross-check", "x/results.csv");
        const string expected = """
            ## Cross-check

            Generated from `x/results.csv` (6 byzfl runs, 3 of ours, 100 steps each). Final test accuracy in percent: mean (min-max over seeds). Verdict: **within** when our mean lies in byzfl's range over seeds, else by how many points it lies outside.

            Settings: toy.

            | rule | attack | byzfl | ours | verdict |
            |---|---|---|---|---|
            | median | alie | 72.0 (70.0-74.0) | 71.0 (70.0-72.0) | within |
            | krum | ipm | 75.5 (75.0-76.0) | 80.0 (1 seed) | **above by 4.0** |
            | trimmed-mean | mimic | 60.0 (1 seed) | not run | **not run** |

            1 of 3 cells within byzfl's spread; 1 lacking runs on one side.


            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), markdown.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Report_PlacesTheSectionBeforeTheClosingNote()
    {
        string section = PeerCrossCheck.Load(Write(Results), "byzfl").ToMarkdown("Cross-check", "results.csv");
        string markdown = ValidationReport.ToMarkdown([], "validation", "byzsim validation", [section]);
        Assert.True(markdown.IndexOf("## Cross-check", StringComparison.Ordinal) < markdown.IndexOf("## Closing note", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("side,rule,attack,seed,steps,test_accuracy\nflower,median,alie,1,100,0.7\n", "results.csv:2: side: 'flower' is neither 'byzfl' nor 'ours'")]
    [InlineData("side,rule,attack,seed,steps,test_accuracy\nours,median,alie,1,100,0.7\nours,median,alie,x,100,0.7\n", "results.csv:3: seed and steps must be non-negative integers")]
    [InlineData("side,rule,attack,seed,steps,test_accuracy\nours,median,alie,1,100,NaN\n", "results.csv:2: test_accuracy: 'NaN' is not a fraction in [0, 1]")]
    [InlineData("side,rule,attack,seed,steps,test_accuracy\nours,median,alie,1,100,0.7\nbyzfl,median,alie,1,50,0.7\n", "runs of different lengths (100, 50 steps)")]
    [InlineData("side,rule,attack,seed,steps,test_accuracy\nours,median,alie,1,100,0.7\nours,median,alie,1,100,0.8\n", "ours median x alie seed 1 appears 2 times")]
    [InlineData("side,rule,seed,steps,test_accuracy\nours,median,1,100,0.7\n", "expected the header side,rule,attack,seed,steps,test_accuracy")]
    public void Load_BadFile_NamesTheFileLineAndProblem(string results, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => PeerCrossCheck.Load(Write(results), "byzfl"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithoutNotes_IsAnError()
    {
        var error = Assert.Throws<InvalidDataException>(() => PeerCrossCheck.Load(Write(Results, notes: false), "byzfl"));
        Assert.Contains("notes.md: missing", error.Message, StringComparison.Ordinal);
    }
}
