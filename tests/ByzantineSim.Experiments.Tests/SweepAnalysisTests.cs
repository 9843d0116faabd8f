using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Tests;

public sealed class SweepAnalysisTests
{
    [Fact]
    public void Stat_FiniteValuesOnly_SampleStandardDeviation()
    {
        var stat = Stat.Of([0.5, 0.7, double.NaN]);
        Assert.Equal(0.6, stat.Mean, 12);
        Assert.Equal(Math.Sqrt(0.02), stat.Std, 12);
        Assert.Equal(2, stat.Count);
        Assert.Equal("60.0 ± 14.1", stat.Percent());
        Assert.Equal("–", Stat.Of([double.NaN]).Percent());
    }

    [Fact]
    public void HeatmapFigure_BestRow_HighestFiniteValuePerColumn()
    {
        var figure = new HeatmapFigure("h", "t", "x", ["a", "b"], ["r0", "r1", "r2"],
            [[0.2, double.NaN], [0.9, double.NaN], [0.5, double.NaN]]);
        Assert.Equal(1, figure.BestRow(0));
        Assert.Equal(-1, figure.BestRow(1));
    }
}
