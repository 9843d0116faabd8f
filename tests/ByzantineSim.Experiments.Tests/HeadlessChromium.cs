using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Debian's Chromium driven through Debian's chromedriver, headless, sandbox and GPU off, with
/// every host name unresolvable so that a page that needed the network would show errors.
/// Missing browser: fails with what to install; never skips.
/// </summary>
public static class HeadlessChromium
{
    private const string Browser = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    /// <summary>Starts a browser with its console log recorded; the caller disposes it.</summary>
    public static ChromeDriver Start(int width, int height)
    {
        if (!File.Exists(Browser) || !File.Exists(Driver))
        {
            throw new InvalidOperationException(
                $"headless Chromium is needed to test reports: {Browser} and {Driver} must exist; install the Debian packages chromium and chromium-driver (scripts/setup.sh does)");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            $"--window-size={width},{height}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return condition();
    }
}
