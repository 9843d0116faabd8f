using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Experiments.Cli;

/// <summary>A problem with what the user gave (an option, a path), found by the command line itself: exit code 2.</summary>
public sealed class InputException(string message) : Exception(message);

/// <summary>
/// Turns any exception that reaches the top of the process into one line on stderr and an exit
/// code: 2 when the input was at fault (spec, file, path, option), 1 otherwise. The trace is
/// printed only under <c>--verbose</c>.
/// </summary>
public static class CliErrors
{
    /// <summary>The hint after a one-line error.</summary>
    public const string VerboseHint = "(run with --verbose for the trace)";

    /// <summary>Prints <paramref name="error"/> to <paramref name="output"/> and returns the exit code.</summary>
    public static int Report(Exception error, bool verbose, TextWriter output)
    {
        if (verbose)
        {
            output.WriteLine(error.ToString());
        }

        // A mistake in the input is the whole story; anything else may need the trace.
        int code = ExitCode(error);
        output.WriteLine(verbose || code == Program.InvalidInput ? $"error: {Describe(error)}" : $"error: {Describe(error)} {VerboseHint}");
        return code;
    }

    /// <summary>The exit code for <paramref name="error"/>.</summary>
    public static int ExitCode(Exception error) => Innermost(error) switch
    {
        InputException or SpecException or FileNotFoundException or DirectoryNotFoundException or PathTooLongException => Program.InvalidInput,
        _ => Program.RunFailed,
    };

    /// <summary>
    /// The messages along the chain of inner exceptions, on one line, without the wrappers that
    /// only say "one or more errors occurred" or "see the inner exception".
    /// </summary>
    public static string Describe(Exception error)
    {
        var parts = new List<string>();
        for (Exception? current = error; current is not null; current = current.InnerException)
        {
            if (current is AggregateException or System.Reflection.TargetInvocationException)
            {
                continue;
            }

            string message = current.Message.Replace(" See InnerException for details.", "", StringComparison.Ordinal).Trim().TrimEnd('.');
            if (message.Length > 0 && !parts.Any(p => p.Contains(message, StringComparison.Ordinal)))
            {
                parts.Add(message);
            }
        }

        string line = parts.Count > 0 ? string.Join(": ", parts) : error.GetType().Name;
        return string.Join("; ", line.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static Exception Innermost(Exception error)
    {
        var current = error;
        while (current is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && current.InnerException is not null)
        {
            current = current.InnerException!;
        }

        return current;
    }
}
