using System.Text.Json;
using ByzantineSim.Aggregators;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// <c>byzsim list</c> at the terminal's width (COLUMNS): blocks wrapped to 80 columns, a table with
/// wide columns at 200; <c>--json</c> of <c>list</c> and <c>runs</c> for programs.
/// </summary>
public sealed class ListCommandTests() : TempFolderTest("byzsim-list-")
{
    private async Task<string> RunAsync(int columns, params string[] args)
    {
        var outcome = await CliProcess.RunAsync(Folder, new Dictionary<string, string> { ["COLUMNS"] = $"{columns}" }, args);
        Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
        return outcome.Output;
    }

    [Fact]
    public async Task List_At80Columns_WrapsEachPluginToTheFullWidth()
    {
        string output = await RunAsync(80, "list", "aggregators");
        string[] lines = output.Split('\n');
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));

        foreach (var descriptor in BuiltInAggregators.Aggregators.All)
        {
            int at = Array.IndexOf(lines, descriptor.Name);
            Assert.True(at >= 0, $"no block for {descriptor.Name}");
            // The description: lines indented by two, up to the options or the blank line.
            var paragraph = lines.Skip(at + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal) && l != "  options:").ToList();
            string expected = string.Join(' ', $"{descriptor.Summary}. Requires {descriptor.Requirement}. {descriptor.Reference}".Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(expected, string.Join(' ', paragraph.Select(l => l.Trim())));
            // Greedy wrapping uses the width: the next line's first word would not have fitted.
            for (int i = 0; i + 1 < paragraph.Count; i++)
            {
                string next = paragraph[i + 1].Trim().Split(' ')[0];
                Assert.True(paragraph[i].Length + 1 + next.Length > 80, $"'{next}' fits after: {paragraph[i]}");
            }
        }
    }

    [Fact]
    public async Task List_At200Columns_IsATableWhoseTextColumnsAreWide()
    {
        string output = await RunAsync(200, "list", "aggregators");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.True(line.Length <= 200, $"{line.Length} columns: {line}"));
        // The top border ╭──┬──┬──╮ gives the three columns' widths.
        string[] columns = lines[0].Trim('╭', '╮').Split('┬');
        Assert.Equal(3, columns.Length);
        Assert.True(columns[1].Length >= 50 && columns[2].Length >= 50, $"narrow columns: {lines[0]}");
        foreach (var descriptor in BuiltInAggregators.Aggregators.All)
        {
            Assert.Contains(lines, line => line.StartsWith($"│ {descriptor.Name} ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task List_Json_GivesEveryPluginWithItsOptionsAndDefaults()
    {
        using var json = JsonDocument.Parse(await RunAsync(80, "list", "aggregators", "--json"));
        var items = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(BuiltInAggregators.Aggregators.All.Select(d => d.Name), items.Select(i => i.GetProperty("name").GetString()));
        foreach (var (descriptor, item) in BuiltInAggregators.Aggregators.All.Zip(items))
        {
            var options = item.GetProperty("options").EnumerateArray().ToList();
            Assert.Equal([BuiltInAggregators.FParameter.Name, .. descriptor.Parameters.Select(p => p.Name)], options.Select(o => o.GetProperty("name").GetString()));
            Assert.Equal([BuiltInAggregators.FParameter.DefaultText, .. descriptor.Parameters.Select(p => p.DefaultText)], options.Select(o => o.GetProperty("default").GetString()));
            Assert.StartsWith(descriptor.Summary, item.GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Runs_Json_GivesEachRunsAxesStatusAndAccuracyFromItsFolder()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "small.yaml"), TinySpec.Head("small", train: 400, test: 100, n: 7, f: 1, rounds: 3, evalEvery: 3) + """
            grid:
              aggregator: [mean, median]
              attack: [sign-flip]
            """);
        var run = await CliProcess.RunAsync(Folder, "run", "small.yaml", "--plain", "--no-report");
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        string results = Path.Combine(Folder, "results", "small");
        string median = Directory.GetDirectories(results, "median-*").Single();
        Directory.Delete(median, recursive: true); // now pending

        using var json = JsonDocument.Parse(await RunAsync(80, "runs", results, "--json"));
        var runs = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("axes").GetProperty("aggregator").GetString()!);
        Assert.Equal(["mean", "median"], runs.Keys.Order());

        var mean = runs["mean"];
        string meanFolder = Path.Combine(results, mean.GetProperty("run_id").GetString()!);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(meanFolder, "summary.json")));
        Assert.Equal("complete", mean.GetProperty("status").GetString());
        Assert.Equal("", mean.GetProperty("detail").GetString());
        Assert.Equal("sign-flip", mean.GetProperty("axes").GetProperty("attack").GetString());
        Assert.Equal(summary.RootElement.GetProperty("final_test_accuracy").GetDouble(), mean.GetProperty("final_accuracy").GetDouble());

        Assert.Equal("pending", runs["median"].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, runs["median"].GetProperty("final_accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, runs["median"].GetProperty("seconds").ValueKind);
    }
}
