using System.Xml.Linq;
using OpenQA.Selenium;
using SkiaSharp;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// <c>byzsim report</c> end to end: a real tiny sweep run through the CLI (2 rules x 2 attacks x
/// 2 partitions x 2 seeds, with message loss so that the participation section has something to
/// show), its report opened in headless Chromium, its static figures decoded.
/// </summary>
[Collection(TinySweep.Collection)]
public sealed class SweepReportTests(TinySweep sweep)
{
    // Per partition: accuracy and loss; then the aggregator x heterogeneity heatmap, cost, participation.
    private const int InteractiveFigures = (2 * 2) + 1 + 1 + 1;

    // One file per panel of the curves (2 partitions x 2 attacks x accuracy/loss), then the three single figures.
    private const int StaticFigures = (2 * 2 * 2) + 3;

    [Fact]
    public void Run_TinySweep_WritesReportAtTheEnd()
    {
        Assert.True(sweep.Run.ExitCode == 0, sweep.Run.Output + sweep.Run.Error);
        Assert.Contains($"report: {Path.Combine(sweep.Results, "report.html")} ({InteractiveFigures} interactive figures, {2 * StaticFigures} PNG/SVG files; 16 of 16 runs complete)", sweep.Run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(sweep.Results, "sweep.yaml")));
    }

    [Fact]
    public void Report_TinySweep_RendersEveryFigureInChromiumWithoutConsoleErrors()
    {
        string html = Path.Combine(sweep.Results, "report.html");
        string text = File.ReadAllText(html);
        Assert.DoesNotContain("<script src", text, StringComparison.OrdinalIgnoreCase); // plotly.js is inlined
        Assert.DoesNotContain("<link", text, StringComparison.OrdinalIgnoreCase);

        using var browser = HeadlessChromium.Start(1400, 1000);
        browser.Navigate().GoToUrl(new Uri(html).AbsoluteUri);
        long Count(string selector) => (long)browser.ExecuteScript($"return document.querySelectorAll('{selector}').length;")!;
        HeadlessChromium.WaitFor(() => Count(".js-plotly-plot .main-svg") > 0 && Count(".js-plotly-plot") == InteractiveFigures, TimeSpan.FromSeconds(60));

        Assert.Equal(InteractiveFigures, Count(".plot-area"));
        Assert.Equal(InteractiveFigures, Count(".js-plotly-plot"));
        Assert.Equal(InteractiveFigures, (long)browser.ExecuteScript(
            "return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => p.querySelector('.main-svg')).length;")!);
        Assert.True(Count(".js-plotly-plot .scatterlayer .trace") >= 2 * 2 * 2 * 2, "curves are drawn"); // panels x rules
        Assert.Equal(1, Count(".js-plotly-plot .heatmaplayer .hm"));
        Assert.True(Count("nav li") >= 8, "table of contents");
        Assert.Contains("All runs are complete.", text, StringComparison.Ordinal);
        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Empty(errors);

        long height = (long)browser.ExecuteScript("return document.documentElement.scrollHeight;")!;
        browser.Manage().Window.Size = new System.Drawing.Size(1400, (int)Math.Min(height, 16000));
        string screenshot = Path.Combine(AppContext.BaseDirectory, "TestOutput", "report-tiny.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        browser.GetScreenshot().SaveAsFile(screenshot);
        using var image = SKBitmap.Decode(screenshot);
        Assert.Equal(1400, image.Width);
        Assert.True(Variance(image) > 100, "the screenshot is not blank");
    }

    [Fact]
    public async Task Report_FigureSize_PngsOfThatSizeNotBlankAndSvgsParse()
    {
        var outcome = await CliProcess.RunAsync(sweep.Folder, "report", Path.Combine("results", "tiny"), "--figure-size", "640x400");
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);

        string figures = Path.Combine(sweep.Results, "figures");
        var pngs = Directory.GetFiles(figures, "*.png");
        var svgs = Directory.GetFiles(figures, "*.svg");
        Assert.Equal(StaticFigures, pngs.Length);
        Assert.Equal(StaticFigures, svgs.Length);
        foreach (string png in pngs)
        {
            using var image = SKBitmap.Decode(png);
            Assert.NotNull(image);
            Assert.True(image is { Width: 640, Height: 400 }, $"{png}: {image.Width}x{image.Height}");
            Assert.True(Variance(image) > 100, $"{png} is blank");
        }

        foreach (string svg in svgs)
        {
            var root = XDocument.Load(svg).Root!;
            Assert.Equal("svg", root.Name.LocalName);
            Assert.Equal("640", root.Attribute("width")?.Value);
            Assert.NotEmpty(root.Descendants());
        }
    }

    [Fact]
    public async Task Report_PartialResults_SaysWhatIsMissing()
    {
        string partial = CopyResults("partial");
        var runs = Directory.GetDirectories(partial).Where(d => File.Exists(Path.Combine(d, "spec.yaml"))).Order(StringComparer.Ordinal).ToList();
        File.Delete(Path.Combine(runs[0], "summary.json")); // interrupted: a folder without a summary
        Directory.Delete(runs[1], recursive: true);          // never started

        var outcome = await CliProcess.RunAsync(sweep.Folder, "report", partial);
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        Assert.Contains("14 of 16 runs complete", outcome.Output, StringComparison.Ordinal);
        string html = File.ReadAllText(Path.Combine(partial, "report.html"));
        Assert.Contains("Partial results: 14 of 16 runs are complete; 1 started but did not finish (interrupted, still running, or failed: the last section says which) and 1 have not started.", html, StringComparison.Ordinal);
        Assert.Contains("Missing runs", html, StringComparison.Ordinal);
        Assert.Contains($"<th scope=\"row\">{Path.GetFileName(runs[0])}</th><td class=\"worst\">incomplete</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<th scope=\"row\">{Path.GetFileName(runs[1])}</th><td class=\"muted\">pending</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_RobustnessFilePresent_IncludesItsTable()
    {
        string folder = sweep.CopyResults("robust");
        File.WriteAllText(Path.Combine(folder, "robustness.md"), """
            # Empirical robustness of the aggregation rules

            | rule | n | f | empirical kappa |
            |---|---|---|---|
            | cge | 9 | 2 | 4.818 |
            """);

        var outcome = await CliProcess.RunAsync(sweep.Folder, "report", folder);
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("Robustness (empirical kappa)", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">cge</th><td>9</td><td>2</td><td>4.818</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Robustness (empirical kappa)", File.ReadAllText(Path.Combine(sweep.Results, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_FolderWithoutIndex_ExitsTwo()
    {
        var outcome = await CliProcess.RunAsync(sweep.Folder, "report", "nowhere");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("no runs.csv here", outcome.Error, StringComparison.Ordinal);
    }

    private string CopyResults(string name) => sweep.CopyResults(name);

    /// <summary>Variance of the grey level over every other pixel: 0 for a blank image.</summary>
    public static double Variance(SKBitmap image)
    {
        double sum = 0, squares = 0;
        int count = 0;
        for (int y = 0; y < image.Height; y += 2)
        {
            for (int x = 0; x < image.Width; x += 2)
            {
                var c = image.GetPixel(x, y);
                double grey = (0.299 * c.Red) + (0.587 * c.Green) + (0.114 * c.Blue);
                sum += grey;
                squares += grey * grey;
                count++;
            }
        }

        double mean = sum / count;
        return (squares / count) - (mean * mean);
    }
}
