using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ByzantineSim.Experiments.Tests.Packaging;

/// <summary>
/// A local NuGet feed made by <c>scripts/pack.sh</c> once for <see cref="PackageTests"/>, in a
/// temporary folder that also holds the consumers' folders and their own NuGet package folder.
/// Child processes get a <c>nuget.config</c> that adds the feed to the sources configured on this
/// machine and reads third-party packages from this machine's package folder without writing to
/// it (a fallback folder), and an isolated <c>NUGET_PACKAGES</c> where ours are extracted.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>The version every package has (VersionPrefix in Directory.Build.props).</summary>
    public const string Version = "0.1.0";

    /// <summary>The library packages.</summary>
    public static readonly string[] Libraries =
    [
        "ByzantineSim", "ByzantineSim.Core", "ByzantineSim.Aggregators", "ByzantineSim.Attacks",
        "ByzantineSim.Clients", "ByzantineSim.Simulator", "ByzantineSim.Experiments", "ByzantineSim.Testing",
    ];

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    private readonly string _root = Directory.CreateTempSubdirectory("byzsim-packages-").FullName;

    /// <summary>The feed: a folder of .nupkg files.</summary>
    public string Folder => Path.Combine(_root, "feed");

    private string PackagesFolder => Path.Combine(_root, "nuget-packages");

    /// <summary>The path of package <paramref name="id"/> in the feed.</summary>
    public string Package(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    /// <summary>A new empty folder below the temporary root, where <c>nuget.config</c> applies.</summary>
    public string EmptyFolder(string name) => Directory.CreateDirectory(Path.Combine(_root, "work", name)).FullName;

    public async Task InitializeAsync()
    {
        string machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Directory.CreateDirectory(Path.Combine(_root, "work"));
        await File.WriteAllTextAsync(Path.Combine(_root, "work", "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="byzantinesim-local" value="{Folder}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        string script = Path.Combine(DocumentationTests.RepositoryRoot(), "scripts", "pack.sh");
        // The repository's own build uses this machine's package folder, as any build of it does.
        var pack = await RunAsync(_root, isolated: false, script, Folder, RuntimeInformation.RuntimeIdentifier);
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/pack.sh failed: {pack}");
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The result of a finished process.</summary>
    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        /// <inheritdoc />
        public override string ToString() => $"exit code {ExitCode}\n{Output}\n{Error}";
    }

    /// <summary>Runs <paramref name="file"/> in <paramref name="folder"/> with the isolated NuGet environment; kills it after the time-out.</summary>
    public Task<Outcome> RunAsync(string folder, string file, params string[] args) => RunAsync(folder, isolated: true, file, args);

    private async Task<Outcome> RunAsync(string folder, bool isolated, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (isolated)
        {
            start.Environment["NUGET_PACKAGES"] = PackagesFolder;
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var outcome = await ChildProcess.RunAsync(start, Timeout, $"{file} {string.Join(' ', args)}");
        return new Outcome(outcome.ExitCode, outcome.Output, outcome.Error);
    }
}
