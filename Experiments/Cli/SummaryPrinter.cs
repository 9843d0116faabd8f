using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Running;
using ByzantineSim.Experiments.Specs;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>Prints a sweep's summary tables (final accuracy, aggregator x attack) to the console.</summary>
public static class SummaryPrinter
{
    /// <summary>Prints one table per combination of the non-pivot axes, then the runs that are degenerate or had failed aggregations.</summary>
    public static void Print(IAnsiConsole console, SweepPlan plan, ResultsStore store)
    {
        foreach (var summary in SummaryTable.Build(plan, store))
        {
            var table = new Table().Border(TableBorder.Rounded);
            table.Title = new TableTitle(Markup.Escape(
                "final test accuracy (%)" + (summary.Title.Length > 0 ? $" — {summary.Title}" : "") + (plan.Axes.Contains("seed") ? ", mean ± std over seeds" : "")));
            table.AddColumn(new TableColumn(Markup.Escape(summary.RowAxis)));
            foreach (string column in summary.Columns)
            {
                table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
            }

            foreach (string row in summary.Rows)
            {
                table.AddRow([Markup.Escape(row), .. summary.Columns.Select(column => Markup.Escape(summary.Cell(row, column)))]);
            }

            console.Write(table);
        }

        // The table's accuracies hide runs whose aggregations failed: name them.
        foreach (var run in plan.Runs)
        {
            var state = store.State(run);
            if (state.Status == RunStatus.Complete && (state.Degenerate || state.Detail.Length > 0))
            {
                string labels = string.Join(", ", run.Labels.Select(l => $"{l.Axis}={l.Value}"));
                string reason = state.Reason.Length == 0 ? "" : $"; {state.Reason}";
                console.MarkupLine(ConsoleSweepObserver.Coloured($"  {state} {run.Id} ({labels}){reason}", state.Degenerate || reason.Length > 0 ? "red" : "yellow"));
            }
        }
    }
}
