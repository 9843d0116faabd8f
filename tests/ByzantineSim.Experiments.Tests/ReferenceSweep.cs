namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// A sweep run once, uninterrupted, through the CLI on first use, that a test class compares
/// its interrupted or distributed runs of the same spec against (an xunit class fixture).
/// </summary>
public abstract class ReferenceSweep : IDisposable
{
    private readonly string _sweep;
    private readonly string _spec;
    private readonly string _folder;
    private readonly Lazy<Task<string>> _run;

    /// <summary>Prepares the sweep named <paramref name="sweep"/> (its file is <c>sweep.yaml</c>), run with <paramref name="runArguments"/> added.</summary>
    protected ReferenceSweep(string sweep, string spec, params string[] runArguments)
    {
        _sweep = sweep;
        _spec = spec;
        _folder = NewFolder();
        _run = new(async () =>
        {
            var outcome = await CliProcess.RunAsync(_folder, ["run", $"{sweep}.yaml", "--results", "reference", "--plain", .. runArguments]);
            Assert.True(outcome.ExitCode == 0, outcome.Output + outcome.Error);
            return Path.Combine(_folder, "reference", sweep);
        });
    }

    /// <summary>A new temporary folder holding the spec, for a test's own run of it.</summary>
    public string NewFolder()
    {
        string folder = Directory.CreateTempSubdirectory($"byzsim-{_sweep}-").FullName;
        File.WriteAllText(Path.Combine(folder, $"{_sweep}.yaml"), _spec);
        return folder;
    }

    /// <summary>The reference sweep's results folder (run on first use).</summary>
    public Task<string> FolderAsync() => _run.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
