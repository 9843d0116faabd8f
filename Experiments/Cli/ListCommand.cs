using System.CommandLine;
using ByzantineSim.Experiments.Specs;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary><c>byzsim list &lt;kind&gt;</c>: every registered plug-in with its options and defaults.</summary>
public static class ListCommand
{
    /// <summary>Creates the <c>byzsim list</c> command, which lists the registered plug-ins of one kind, with its options and handler.</summary>
    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = "what to list: " + string.Join(", ", PluginListing.Kinds) };
        kind.AcceptOnlyFromAmong([.. PluginListing.Kinds]);
        var command = new Command("list", "List the registered plug-ins of one kind with their options and defaults") { kind };
        command.SetAction(parse =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("name", "description", "options (type, default)");
            foreach (var row in PluginListing.Rows(PluginCatalog.BuiltIn, parse.GetValue(kind)!))
            {
                string options = row.Parameters.Length == 0
                    ? "-"
                    : string.Join("\n", row.Parameters.Select(p => $"{p.Name} ({p.TypeName}, default {p.DefaultText}): {p.Description}"));
                table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Description), Markup.Escape(options));
            }

            AnsiConsole.Write(table);
            return Program.Ok;
        });
        return command;
    }
}
