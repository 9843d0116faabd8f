using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Tests;

public sealed class StaticFiguresTests
{
    [Theory]
    [InlineData("partition=dirichlet(alpha=0.3)", "partition-dirichlet-alpha-0.3")]
    [InlineData("centered-clipping(tau=0.1)", "centered-clipping-tau-0.1")]
    [InlineData("  Gaussian, sigma=200 ", "gaussian-sigma-200")]
    public void Slug_Label_FileNameSafe(string label, string expected) => Assert.Equal(expected, StaticFigures.Slug(label));

    [Fact]
    public void FigureSize_Parse_AcceptsWidthByHeightAndRejectsOthers()
    {
        Assert.Equal(new FigureSize(1200, 750), FigureSize.Parse("1200x750"));
        var error = Assert.Throws<FormatException>(() => FigureSize.Parse("12x7"));
        Assert.Contains("got '12x7'", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => FigureSize.Parse("wide"));
    }

    [Fact]
    public void LineFigure_WithOnlyAnUnnamedSeries_IsDrawn()
    {
        // A case that leaves the rule axis unset gives its series an empty name; ScottPlot used to
        // draw a blank image when that was the only legend entry.
        var curve = new Curve([0.0, 1, 2], [new Stat(0.1, 0, 1), new Stat(0.5, 0, 1), new Stat(0.7, 0, 1)]);
        var figure = new LineFigure("unnamed", "Test accuracy", "test accuracy (%)", LineScale.Percent, [new LinePanel("none", [new LineSeries("", 0, curve)])]);
        string folder = Directory.CreateTempSubdirectory("byzsim-figures-").FullName;
        try
        {
            var written = StaticFigures.Write([figure], folder, FigureSize.Default);
            string svg = File.ReadAllText(written.Single(w => w.EndsWith(".svg", StringComparison.Ordinal)));
            Assert.Contains("(base)", svg, StringComparison.Ordinal);
            Assert.Contains("Test accuracy", svg, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
