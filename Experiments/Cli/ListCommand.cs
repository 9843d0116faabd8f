using System.CommandLine;
using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Clients.Compression;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Partitioning;
using ByzantineSim.Core.Plugins;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary><c>byzsim list &lt;kind&gt;</c>: every registered plug-in with its options and defaults.</summary>
public static class ListCommand
{
    /// <summary>Creates the <c>byzsim list</c> command, which lists the registered plug-ins of one kind, with its options and handler.</summary>
    public static Command Create()
    {
        var kinds = new Dictionary<string, Func<IEnumerable<Row>>>(StringComparer.Ordinal)
        {
            ["aggregators"] = () => BuiltInAggregators.Aggregators.All.Select(d =>
                new Row(d.Name, $"{d.Summary}. Requires {d.Requirement}. {d.Reference}", [BuiltInAggregators.FParameter, .. d.Parameters])),
            ["pre-aggregators"] = () => BuiltInAggregators.PreAggregators.All.Select(d =>
                new Row(d.Name, $"{d.Summary}. {d.Reference}", [BuiltInAggregators.FParameter, .. d.Parameters])),
            ["attacks"] = () => BuiltInAttacks.Registry.All.Select(d =>
                new Row(d.Name, $"{d.Summary}. Needs: {d.Requires}. {d.Reference}", [.. d.Parameters])),
            ["datasets"] = () => DatasetCatalog.Registry.All.Select(d => new Row(d.Name, d.Summary, [.. d.Parameters, DatasetCatalog.ValidationParameter])),
            ["models"] = () => ModelCatalog.Registry.All.Select(d => new Row(d.Name, d.Summary, [.. d.Parameters])),
            ["partitioners"] = () => PartitionerCatalog.Registry.All.Select(d =>
                new Row(d.Name, d.Summary, [PartitionerCatalog.NoisyClientsParameter, PartitionerCatalog.NoiseFractionParameter, PartitionerCatalog.ByzantineDataParameter, .. d.Parameters])),
            ["compressors"] = () => CompressorCatalog.Registry.All.Select(d => new Row(d.Name, d.Summary, [.. d.Parameters])),
        };

        var kind = new Argument<string>("kind") { Description = "what to list: " + string.Join(", ", kinds.Keys) };
        kind.AcceptOnlyFromAmong([.. kinds.Keys]);
        var command = new Command("list", "List the registered plug-ins of one kind with their options and defaults") { kind };
        command.SetAction(parse =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("name", "description", "options (type, default)");
            foreach (var row in kinds[parse.GetValue(kind)!]())
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

    private sealed record Row(string Name, string Description, IParameter[] Parameters);
}
