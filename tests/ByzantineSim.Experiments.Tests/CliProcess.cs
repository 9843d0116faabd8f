using System.Diagnostics;

namespace ByzantineSim.Experiments.Tests;

/// <summary>Runs the real <c>byzsim</c> executable as a child process, as a user would.</summary>
public static class CliProcess
{
    /// <summary>The result of a finished command.</summary>
    public sealed record Outcome(int ExitCode, string Output, string Error);

    /// <summary>Runs <c>dotnet byzsim.dll args</c> in <paramref name="workingDirectory"/>.</summary>
    public static async Task<Outcome> RunAsync(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Outcome(process.ExitCode, await output, await error);
    }

    /// <summary>Runs <c>dotnet byzsim.dll args</c> in <paramref name="workingDirectory"/> with <paramref name="environment"/> added to its environment.</summary>
    public static async Task<Outcome> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(workingDirectory, args, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Outcome(process.ExitCode, await output, await error);
    }

    /// <summary>Starts <c>dotnet byzsim.dll args</c> with redirected output; the caller owns the process.</summary>
    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, args, null);

    private static Process Start(string workingDirectory, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        // Through env --default-signal: a test runner started in the background (nohup, a
        // non-interactive shell's &) passes SIGINT down as ignored, and the .NET runtime keeps an
        // inherited SIG_IGN, so byzsim would never see a Ctrl+C the tests send. Reset, it behaves
        // as when started from a terminal.
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "byzsim.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }
}
