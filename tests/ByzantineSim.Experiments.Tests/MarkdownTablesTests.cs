using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Tests;

public sealed class MarkdownTablesTests
{
    [Fact]
    public void Parse_RobustnessMarkdown_ParagraphsAndTableWithoutSeparatorRow()
    {
        // The shape `byzsim robustness --markdown` writes (docs/ROBUSTNESS.md).
        var blocks = MarkdownTables.Parse("""
            # Empirical robustness

            A rule F is robust when
            the bound holds.

            | rule | n | f | empirical kappa |
            |---|---|---|---|
            | cge | 10 | 2 | 4.818 |
            | mean | 10 | 2 | refused (condition) |
            """);

        Assert.Equal(3, blocks.Length);
        Assert.Equal("Empirical robustness", blocks[0].Text);
        Assert.Equal("A rule F is robust when the bound holds.", blocks[1].Text);
        Assert.Equal<string>(["rule", "n", "f", "empirical kappa"], blocks[2].Header);
        Assert.Equal(2, blocks[2].Rows.Length);
        Assert.Equal<string>(["mean", "10", "2", "refused (condition)"], blocks[2].Rows[1]);
    }
}
