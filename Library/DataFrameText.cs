using System.Globalization;
using Microsoft.Data.Analysis;

namespace ByzantineSim;

/// <summary>Plain-text rendering of a data frame for consoles and logs, and an HTML table for notebooks.</summary>
public static class DataFrameText
{
    /// <summary>
    /// The frame as a text table: a header row, then one line per row (up to <paramref name="maxRows"/>),
    /// each column as wide as its widest cell, columns two spaces apart (DataFrame's own ToString
    /// gives every column 20 characters, so longer labels run into the next column).
    /// </summary>
    public static string ToText(this DataFrame frame, int maxRows = 100)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var columns = frame.Columns.ToList();
        long rows = Math.Min(frame.Rows.Count, maxRows);
        var cells = columns.Select(c => new[] { c.Name }.Concat(Enumerable.Range(0, (int)rows).Select(r => Cell(c[r])))).Select(x => x.ToArray()).ToList();
        var widths = cells.Select(c => c.Max(s => s.Length)).ToList();
        var text = new System.Text.StringBuilder();
        for (int r = 0; r <= rows; r++)
        {
            text.AppendJoin("  ", cells.Select((c, i) => c[r].PadRight(widths[i]))).Append('\n');
        }

        if (frame.Rows.Count > rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"... {frame.Rows.Count - rows} more rows\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The frame as an HTML <c>table</c> (header, then up to <paramref name="maxRows"/> rows, cells
    /// as <see cref="ToText"/> writes them, HTML-encoded), for a notebook to display whatever
    /// formatters its kernel has loaded.
    /// </summary>
    public static string ToHtml(this DataFrame frame, int maxRows = 100)
    {
        ArgumentNullException.ThrowIfNull(frame);
        static string Encode(string text) => System.Net.WebUtility.HtmlEncode(text);
        var columns = frame.Columns.ToList();
        long rows = Math.Min(frame.Rows.Count, maxRows);
        var html = new System.Text.StringBuilder("<table class=\"byzsim-frame\"><thead><tr>");
        columns.ForEach(c => html.Append("<th>").Append(Encode(c.Name)).Append("</th>"));
        html.Append("</tr></thead><tbody>");
        for (long r = 0; r < rows; r++)
        {
            html.Append("<tr>");
            columns.ForEach(c => html.Append("<td>").Append(Encode(Cell(c[r]))).Append("</td>"));
            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
        if (frame.Rows.Count > rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>... {frame.Rows.Count - rows} more rows</p>");
        }

        return html.ToString();
    }

    private static string Cell(object? value) => value switch
    {
        null => "-",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
