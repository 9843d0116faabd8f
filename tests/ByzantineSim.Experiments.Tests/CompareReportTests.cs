using OpenQA.Selenium;

namespace ByzantineSim.Experiments.Tests;

/// <summary><c>byzsim report --compare</c> on two copies of the tiny sweep's results, one with a run lost.</summary>
[Collection(TinySweep.Collection)]
public sealed class CompareReportTests(TinySweep sweep)
{
    [Fact]
    public async Task Report_Compare_ShowsBothSidesAndRendersInChromium()
    {
        string before = sweep.CopyResults("before");
        // "Before" lost one run: its cell is compared on the seed that is left.
        var runs = Directory.GetDirectories(before).Where(d => File.Exists(Path.Combine(d, "spec.yaml"))).Order(StringComparer.Ordinal).ToList();
        Directory.Delete(runs[0], recursive: true);
        string output = Path.Combine(sweep.Folder, "compare.html");

        var outcome = await CliProcess.RunAsync(sweep.Folder, "report", "--compare", before, sweep.Results, "--output", output);
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        string html = File.ReadAllText(output);
        Assert.Contains("Comparison: before/tiny → results/tiny", html, StringComparison.Ordinal);
        Assert.Contains("8 rule x attack x setting cells have results on both sides, 0 on one side only.", html, StringComparison.Ordinal);

        using var browser = HeadlessChromium.Start(1400, 1000);
        browser.Navigate().GoToUrl(new Uri(output).AbsoluteUri);
        long Plots() => (long)browser.ExecuteScript("return document.querySelectorAll('.js-plotly-plot .main-svg').length > 0 ? document.querySelectorAll('.js-plotly-plot').length : 0;")!;
        HeadlessChromium.WaitFor(() => Plots() == 2, TimeSpan.FromSeconds(60));
        Assert.Equal(2, Plots()); // worst case per rule, one per partition
        Assert.Empty(browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message));

        long height = (long)browser.ExecuteScript("return document.documentElement.scrollHeight;")!;
        browser.Manage().Window.Size = new System.Drawing.Size(1400, (int)Math.Min(height, 16000));
        string screenshot = Path.Combine(AppContext.BaseDirectory, "TestOutput", "compare-tiny.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        browser.GetScreenshot().SaveAsFile(screenshot);
        using var image = SkiaSharp.SKBitmap.Decode(screenshot);
        Assert.True(SweepReportTests.Variance(image) > 100, "the screenshot is not blank");
    }
}
