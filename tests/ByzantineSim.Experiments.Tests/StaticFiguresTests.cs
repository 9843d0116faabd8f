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
}
