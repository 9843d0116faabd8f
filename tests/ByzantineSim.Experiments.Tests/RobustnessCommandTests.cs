using ByzantineSim.Aggregators.Robustness;
using ByzantineSim.Experiments.Cli;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The command line <c>byzsim robustness</c> writes into its markdown, so a table made with chosen rules can be reproduced.</summary>
public sealed class RobustnessCommandTests
{
    [Fact]
    public void CommandLine_DefaultsOnly_IsTheDefaultCommand()
    {
        string line = RobustnessCommand.CommandLine(null, null, null, new RobustnessSearchOptions(), new FileInfo("docs/ROBUSTNESS.md"));

        Assert.Equal(RobustnessReport.DefaultCommand, line);
    }

    [Fact]
    public void CommandLine_GivenOptions_QuotesPipelinesAndNamesTheBudgetThatDiffers()
    {
        string line = RobustnessCommand.CommandLine(["krum", "nnm>median"], [10], [2, 3], new RobustnessSearchOptions(Steps: 50, Seed: 9), new FileInfo("out/k.md"));

        Assert.Equal("./byzsim robustness --rules krum 'nnm>median' --n 10 --f 2 3 --steps 50 --seed 9 --markdown out/k.md", line);
    }
}
