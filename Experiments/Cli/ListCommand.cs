using System.CommandLine;
using System.Text.Json;
using ByzantineSim.Experiments.Specs;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim list &lt;kind&gt;</c>: every registered plug-in with its options and defaults, laid
/// out for the terminal's width (<see cref="TextLayout.Width"/>): a table when it is wide enough
/// for one, otherwise one block per plug-in wrapped to the width; <c>--json</c> for programs.
/// </summary>
public static class ListCommand
{
    /// <summary>The narrowest output (in columns) that gets the table; narrower gets blocks.</summary>
    public const int TableWidth = 140;

    /// <summary>Creates the <c>byzsim list</c> command, which lists the registered plug-ins of one kind, with its options and handler.</summary>
    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = "what to list: " + string.Join(", ", PluginListing.Kinds) };
        kind.AcceptOnlyFromAmong([.. PluginListing.Kinds]);
        var json = new Option<bool>("--json") { Description = "print a JSON array: name, description, options (name, type, default, description)" };
        var command = new Command("list", "List the registered plug-ins of one kind with their options and defaults") { kind, json };
        command.SetAction(parse =>
        {
            var rows = PluginListing.Rows(PluginCatalog.BuiltIn, parse.GetValue(kind)!).ToList();
            if (parse.GetValue(json))
            {
                Console.Out.Write(Json(rows));
            }
            else
            {
                int width = TextLayout.Width();
                if (width >= TableWidth)
                {
                    WriteTable(rows, width);
                }
                else
                {
                    Console.Out.Write(Blocks(rows, width));
                }
            }

            return Program.Ok;
        });
        return command;
    }

    /// <summary>The rows as a JSON array, indented, ending with a newline.</summary>
    private static string Json(IEnumerable<PluginListingRow> rows)
    {
        var items = rows.Select(row => new
        {
            name = row.Name,
            description = row.Description,
            options = row.Parameters.Select(p => new { name = p.Name, type = p.TypeName, @default = p.DefaultText, description = p.Description }),
        });
        return JsonSerializer.Serialize(items, TextLayout.JsonOptions) + "\n";
    }

    /// <summary>One block per plug-in: its name, then its description and each option wrapped to <paramref name="width"/>.</summary>
    private static string Blocks(IEnumerable<PluginListingRow> rows, int width)
    {
        var text = new System.Text.StringBuilder();
        foreach (var row in rows)
        {
            text.Append(row.Name).Append('\n');
            TextLayout.Wrap(text, row.Description, width, "  ", "  ");
            if (row.Parameters.Length > 0)
            {
                text.Append("  options:\n");
                foreach (var p in row.Parameters)
                {
                    TextLayout.Wrap(text, $"{p.Name} ({p.TypeName}, default {p.DefaultText}): {p.Description}", width, "    ", "      ");
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static void WriteTable(IEnumerable<PluginListingRow> rows, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        console.Profile.Width = width;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("name") { NoWrap = true })
            .AddColumn("description")
            .AddColumn("options (type, default)");
        foreach (var row in rows)
        {
            string options = row.Parameters.Length == 0
                ? "-"
                : string.Join("\n", row.Parameters.Select(p => $"{p.Name} ({p.TypeName}, default {p.DefaultText}): {p.Description}"));
            table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Description), Markup.Escape(options));
        }

        console.Write(table);
    }

}
