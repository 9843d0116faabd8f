using System.Diagnostics;

namespace ByzantineSim.TestKit;

/// <summary>
/// A build or script a test starts as its own process (dotnet pack, a notebook run): no MSBuild
/// node or server left behind, none of the test host's MSBuild variables (they would point the
/// child at this process's SDK state), output captured, killed with its tree after a timeout.
/// </summary>
public static class ChildProcess
{
    /// <summary>What the process printed and how it ended.</summary>
    public sealed record Outcome(int ExitCode, string Output, string Error);

    /// <summary>Runs <paramref name="start"/> to its end, or throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static async Task<Outcome> RunAsync(ProcessStartInfo start, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what}: no exit after {timeout}");
        }

        return new Outcome(process.ExitCode, await output, await error);
    }
}
