using System.CommandLine;
using System.CommandLine.Help;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// Range checks on options, and the one line a refused command line becomes: bad input like a bad
/// spec (exit 2), without the help dump System.CommandLine prints by default.
/// </summary>
internal static class CommandLineChecks
{
    /// <summary>Refuses values of <paramref name="option"/> below <paramref name="minimum"/>.</summary>
    public static Option<int> AtLeast(this Option<int> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            if (Parsed(result, out int value) && value < minimum)
            {
                result.AddError($"{option.Name}: must be at least {minimum} (got {value})");
            }
        });
        return option;
    }

    /// <summary>Refuses values of <paramref name="option"/> that are not positive finite seconds.</summary>
    public static Option<double> PositiveSeconds(this Option<double> option)
    {
        option.Validators.Add(result =>
        {
            if (Parsed(result, out double value) && !(value > 0 && double.IsFinite(value)))
            {
                result.AddError($"{option.Name}: must be a positive number of seconds (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            }
        });
        return option;
    }

    /// <summary>The option's value, unless its text does not convert (the parser reports that itself).</summary>
    public static bool Parsed<T>(System.CommandLine.Parsing.OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>
    /// The line for a command line the parser refused, or null when it parsed (or asks for help):
    /// its errors (unrecognized words first, alone, since "a command is required" only follows
    /// from them) and where the usage is.
    /// </summary>
    public static string? Refusal(ParseResult parse, int argumentCount)
    {
        if (parse.Errors.Count == 0 || parse.Action is HelpAction)
        {
            return null;
        }

        var problems = argumentCount == 0 ? ["no command given"]
            : parse.UnmatchedTokens.Count > 0 ? parse.UnmatchedTokens.Select(token => $"unrecognized command or argument '{token}'").ToList()
            : parse.Errors.Select(error => Sentence(error.Message, parse.CommandResult.Command)).Distinct().ToList();

        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, result.Command is RootCommand ? "byzsim" : result.Command.Name);
        }

        string lists = parse.CommandResult.Command.Subcommands.Count > 0 ? "the commands" : "the options";
        return $"error: {string.Join("; ", problems)} ({string.Join(' ', path)} --help lists {lists})";
    }

    /// <summary>
    /// A parser message as a clause: a value of the wrong type as "--rounds: expected a whole
    /// number, got 'two'", others without capital and full stop.
    /// </summary>
    private static string Sentence(string message, Command command)
    {
        // A list of choices comes one per line: put it on the line, comma-separated.
        var lines = message.Trim().TrimEnd('.').Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string text = lines.Length > 1 ? $"{lines[0]} {string.Join(", ", lines[1..])}" : lines[0];
        if (text.StartsWith("Required command was not provided", StringComparison.Ordinal))
        {
            return "no command given";
        }

        var missing = System.Text.RegularExpressions.Regex.Match(text, @"^Required argument missing for (command|option): '(.*)'$");
        if (missing.Success)
        {
            return missing.Groups[1].Value == "option"
                ? $"{missing.Groups[2].Value}: needs a value"
                : $"missing {string.Join(" ", command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0).Select(a => $"<{a.Name}>"))}";
        }

        var conversion = System.Text.RegularExpressions.Regex.Match(text, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'$");
        if (conversion.Success)
        {
            string type = conversion.Groups[3].Value;
            string expected = type.Contains("Int", StringComparison.Ordinal) ? "a whole number" : type.Contains("Double", StringComparison.Ordinal) ? "a number" : type;
            return $"{conversion.Groups[2].Value}: expected {expected}, got '{conversion.Groups[1].Value}'";
        }

        return text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }
}
