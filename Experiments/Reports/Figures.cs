using System.Collections.Immutable;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// A figure of a report, independent of how it is drawn: <see cref="PlotlyRenderer"/> turns it
/// into an interactive plotly.js figure in <c>report.html</c>, <see cref="StaticFigures"/> into
/// PNG and SVG files for papers, so both always show the same numbers.
/// </summary>
/// <param name="Id">Identifier, also the stem of the static files (kebab-case).</param>
/// <param name="Title">Title.</param>
public abstract record Figure(string Id, string Title);

/// <summary>One curve: mean over seeds with a ±1 std band.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="Colour">Palette index; the same name gets the same index in every panel.</param>
/// <param name="Curve">The values.</param>
public sealed record LineSeries(string Name, int Colour, Curve Curve);

/// <summary>One panel of a line figure.</summary>
/// <param name="Title">Panel title.</param>
/// <param name="Series">Its curves.</param>
public sealed record LinePanel(string Title, ImmutableArray<LineSeries> Series);

/// <summary>How a line figure's values are shown.</summary>
public enum LineScale
{
    /// <summary>Fractions shown as percentages on a 0-100 axis.</summary>
    Percent,

    /// <summary>Positive values on a logarithmic axis (losses, which span decades when a rule diverges).</summary>
    Log,
}

/// <summary>Curves against rounds (or simulated time), one panel per attack (or setting).</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Title">Title.</param>
/// <param name="YLabel">Y axis label with unit.</param>
/// <param name="Scale">How values are shown.</param>
/// <param name="Panels">Panels, in reading order.</param>
public sealed record LineFigure(string Id, string Title, string YLabel, LineScale Scale, ImmutableArray<LinePanel> Panels) : Figure(Id, Title)
{
    /// <summary>The x axis: rounds, or an asynchronous sweep's simulated seconds. <value>round</value></summary>
    public string XLabel { get; init; } = "round";

    /// <summary>
    /// The band of a value: mean ± std, in display units. On a log axis the lower edge stays
    /// above a tenth of the mean, since a band through zero has no logarithm.
    /// </summary>
    public (double Low, double Mean, double High) Band(Stat stat) => Scale switch
    {
        LineScale.Percent => (100 * (stat.Mean - stat.Std), 100 * stat.Mean, 100 * (stat.Mean + stat.Std)),
        _ => (Math.Max(stat.Mean - stat.Std, stat.Mean / 10), stat.Mean, stat.Mean + stat.Std),
    };
}

/// <summary>A grid of values (accuracy in [0, 1]) with the best row of each column marked.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Title">Title.</param>
/// <param name="XLabel">Column axis label.</param>
/// <param name="Columns">Column labels.</param>
/// <param name="Rows">Row labels (the rules).</param>
/// <param name="Values">Per row, per column (NaN: no results).</param>
public sealed record HeatmapFigure(
    string Id,
    string Title,
    string XLabel,
    ImmutableArray<string> Columns,
    ImmutableArray<string> Rows,
    ImmutableArray<ImmutableArray<double>> Values) : Figure(Id, Title)
{
    /// <summary>The row with the highest value in <paramref name="column"/> (-1 when the column is empty).</summary>
    public int BestRow(int column)
    {
        int best = -1;
        for (int row = 0; row < Rows.Length; row++)
        {
            double value = Values[row][column];
            if (double.IsFinite(value) && (best < 0 || value > Values[best][column]))
            {
                best = row;
            }
        }

        return best;
    }
}

/// <summary>One series of a bar figure.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="Values">One value per category.</param>
public sealed record BarSeries(string Name, ImmutableArray<double> Values);

/// <summary>Bars per category, stacked or grouped.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Title">Title.</param>
/// <param name="YLabel">Y axis label with unit.</param>
/// <param name="Categories">Category labels.</param>
/// <param name="Series">Series, in legend order.</param>
/// <param name="Stacked">Stack the series (else group them).</param>
public sealed record BarFigure(string Id, string Title, string YLabel, ImmutableArray<string> Categories, ImmutableArray<BarSeries> Series, bool Stacked)
    : Figure(Id, Title);

/// <summary>A peer of a graph figure: where it is drawn and what it is.</summary>
/// <param name="X">Horizontal position in [-1, 1].</param>
/// <param name="Y">Vertical position in [-1, 1].</param>
/// <param name="Label">Hover text.</param>
/// <param name="Byzantine">True for a Byzantine peer (drawn in the attack colour).</param>
public sealed record GraphNode(double X, double Y, string Label, bool Byzantine);

/// <summary>A communication graph: peers as points, edges as segments.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Title">Title.</param>
/// <param name="Nodes">The peers, by id.</param>
/// <param name="Edges">Undirected edges (a &lt; b), by peer id.</param>
public sealed record GraphFigure(string Id, string Title, ImmutableArray<GraphNode> Nodes, ImmutableArray<(int A, int B)> Edges) : Figure(Id, Title);
