using OpenQA.Selenium;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The browser harness itself: the report tests' "no console errors" check must be able to fail.</summary>
public sealed class HeadlessChromiumTests() : TempFolderTest("byzsim-chromium-")
{
    [Fact]
    public void Start_PageWithScriptErrorAndNetworkLoad_BothReachTheBrowserLog()
    {
        string page = Path.Combine(Folder, "broken.html");
        File.WriteAllText(page, """
            <!DOCTYPE html><html><head><meta charset="utf-8">
            <script src="https://cdn.example.org/plotly.min.js"></script></head>
            <body><script>undefinedFunction();</script></body></html>
            """);

        using var browser = HeadlessChromium.Start(800, 600);
        browser.Navigate().GoToUrl(new Uri(page).AbsoluteUri);
        var log = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();

        Assert.Contains(log, m => m.Contains("undefinedFunction", StringComparison.Ordinal));
        Assert.Contains(log, m => m.Contains("cdn.example.org", StringComparison.Ordinal)); // no network in tests
    }
}
