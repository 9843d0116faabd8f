using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ByzantineSim.Experiments.Cli;

/// <summary>How the commands that print tables and lists fit their output: width, wrapping, JSON.</summary>
public static class TextLayout
{
    /// <summary>The width for output that goes to a file or a pipe and <c>COLUMNS</c> does not say otherwise.</summary>
    public const int DefaultWidth = 80;

    /// <summary>The narrowest width honoured; below it text is laid out at this width.</summary>
    public const int MinimumWidth = 40;

    /// <summary>JSON as the commands print it: indented, non-ASCII text as is.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The output width in columns: <c>COLUMNS</c> when it holds a positive number (shells set
    /// it, and it lets a user choose), else the terminal's width, else <see cref="DefaultWidth"/>.
    /// </summary>
    public static int Width()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns > 0)
        {
            return Math.Max(MinimumWidth, columns);
        }

        if (!Console.IsOutputRedirected)
        {
            try
            {
                int window = Console.WindowWidth;
                if (window > 0)
                {
                    return Math.Max(MinimumWidth, window);
                }
            }
            catch (IOException)
            {
                // No terminal after all: use the default.
            }
        }

        return DefaultWidth;
    }

    /// <summary>
    /// Appends <paramref name="text"/> wrapped at spaces to lines of at most <paramref name="width"/>
    /// columns, the first indented by <paramref name="first"/>, the others by <paramref name="rest"/>.
    /// A word longer than a line stands alone on its line.
    /// </summary>
    public static void Wrap(StringBuilder output, string text, int width, string first, string rest)
    {
        var line = new StringBuilder(first);
        bool empty = true;
        foreach (string word in text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > width)
            {
                output.Append(line).Append('\n');
                line.Clear().Append(rest);
                empty = true;
            }

            if (!empty)
            {
                line.Append(' ');
            }

            line.Append(word);
            empty = false;
        }

        output.Append(line).Append('\n');
    }
}
