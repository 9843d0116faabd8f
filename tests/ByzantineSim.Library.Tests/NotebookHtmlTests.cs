using Microsoft.Data.Analysis;

namespace ByzantineSim.Library.Tests;

/// <summary>The HTML the notebooks display: data frames as tables, report figures as Plotly divs.</summary>
public class NotebookHtmlTests
{
    [Fact]
    public void ToHtml_EncodesCellsAndStopsAtMaxRows()
    {
        var frame = new DataFrame(
            new StringDataFrameColumn("rule", ["a<b", "c&d", "e"]),
            new DoubleDataFrameColumn("accuracy", [1.5, 2, 3]));
        Assert.Equal(
            "<table class=\"byzsim-frame\"><thead><tr><th>rule</th><th>accuracy</th></tr></thead><tbody>" +
            "<tr><td>a&lt;b</td><td>1.5</td></tr><tr><td>c&amp;d</td><td>2</td></tr></tbody></table><p>... 1 more rows</p>",
            frame.ToHtml(maxRows: 2));
    }

    [Fact]
    public void ToNotebookHtml_DrawsTheFigureInItsOwnDiv_WithPlotlyInlinedAsAGlobal()
    {
        string html = PlotlyCharts.ToNotebookHtml("""{"data":[{"type":"heatmap","name":"</script>"}],"layout":{}}""", "worst");
        var id = System.Text.RegularExpressions.Regex.Match(html, "<div id=\"(byzsim-worst-[0-9a-f]{32})\"></div>");
        Assert.True(id.Success, html[..200]);
        Assert.Contains($"Plotly.newPlot(\"{id.Groups[1].Value}\", figure.data, figure.layout", html, StringComparison.Ordinal);
        // A "</script>" inside the figure would end the script element early.
        Assert.Contains("\"name\":\"<\\/script>\"", html, StringComparison.Ordinal);
        // require.js's define is shadowed, so plotly.js sets window.Plotly.
        Assert.Contains("(function (define, module, exports) {", html, StringComparison.Ordinal);
        Assert.NotEqual(id.Groups[1].Value, System.Text.RegularExpressions.Regex.Match(PlotlyCharts.ToNotebookHtml("{}", "worst"), "<div id=\"([^\"]+)\"").Groups[1].Value);
    }
}
