using System.Diagnostics;

namespace ByzantineSim.Experiments.Tests.Packaging;

/// <summary>
/// The <c>./byzsim</c> wrapper of a clone builds only when a build input is newer than its last
/// build (the stamp in <c>artifacts/obj/byzsim-wrapper/</c>), then runs the built byzsim.dll. Runs
/// the real wrapper in this repository, so it shares the collection of the tests that build it.
/// </summary>
[Collection(RepositoryBuilds.Collection)]
public sealed class WrapperTests
{
    private static readonly string Root = DocumentationTests.RepositoryRoot();
    private static readonly string Stamp = Path.Combine(Root, "artifacts", "obj", "byzsim-wrapper", "built");
    private static readonly string Dll = Path.Combine(Root, "Cli", "bin", "Release", "net10.0", "byzsim.dll");

    [Fact]
    public async Task Wrapper_UpToDate_RunsTheBuiltProgramWithoutBuilding()
    {
        await RunWrapperAsync("--version"); // builds if this clone's sources changed since the last call
        var stamp = File.GetLastWriteTimeUtc(Stamp);
        var dll = File.GetLastWriteTimeUtc(Dll);

        string version = await RunWrapperAsync("--version");

        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Stamp));
        Assert.Equal(dll, File.GetLastWriteTimeUtc(Dll));
        string expected = FileVersionInfo.GetVersionInfo(Dll).ProductVersion!; // the informational version
        Assert.Equal(expected, version.Trim());
    }

    [Fact]
    public async Task Wrapper_InputNewerThanTheLastBuild_BuildsAndRenewsTheStamp()
    {
        await RunWrapperAsync("--version");
        // Instead of touching a source, make the stamp older than every source.
        var old = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Stamp, old);

        await RunWrapperAsync("--version");

        Assert.True(File.GetLastWriteTimeUtc(Stamp) > old, "the stamp was not renewed, so no build ran");
    }

    private static async Task<string> RunWrapperAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Root, "byzsim"))
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"./byzsim {string.Join(' ', args)}: exit code {process.ExitCode}\n{await error}");
        return await output;
    }
}

/// <summary>Tests that build this repository's projects (the wrapper, scripts/pack.sh) run one at a time.</summary>
[CollectionDefinition(Collection)]
public sealed class RepositoryBuilds
{
    /// <summary>The collection's name.</summary>
    public const string Collection = "repository builds";
}
