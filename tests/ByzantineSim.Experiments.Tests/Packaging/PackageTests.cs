using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Xml.Linq;

namespace ByzantineSim.Experiments.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: <c>scripts/pack.sh</c> packs into a folder feed, then, from
/// empty folders with their own NuGet package folder (nothing is read from or written to this
/// machine's package cache except the third-party packages it already holds), the tool is
/// installed and runs a sweep, and a new console project references the library and runs the
/// same sweep. Slow (a few minutes on a loaded VM): it packs the tool with libtorch inside.
/// </summary>
[Collection(RepositoryBuilds.Collection)]
public sealed class PackageTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    private static readonly string Spec = TinySpec.Head("packaged", train: 400, test: 100, n: 7, f: 1, rounds: 3, evalEvery: 3) + """
        grid:
          aggregator: [mean, median]
          attack: [sign-flip]
          seed: [1]
        """;

    /// <summary>
    /// The C# example of the packages' README (packaging/README.md), which a user would paste
    /// into a new console project: it loads <c>experiments.yaml</c> and runs the sweep.
    /// </summary>
    private static string ReadmeProgram()
    {
        string readme = File.ReadAllText(Path.Combine(DocumentationTests.RepositoryRoot(), "packaging", "README.md"));
        int start = readme.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        Assert.True(start >= "```csharp\n".Length, "packaging/README.md has no C# example");
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void Packages_CarryReadmeLicenceSymbolsAndTheLoaderFix()
    {
        foreach (string id in PackedFeed.Libraries)
        {
            using var package = ZipFile.OpenRead(feed.Package(id));
            var metadata = Nuspec(package);
            Assert.Equal(PackedFeed.Version, metadata.Element(metadata.Name.Namespace + "version")?.Value);
            Assert.Equal("MIT", metadata.Element(metadata.Name.Namespace + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(metadata.Name.Namespace + "readme")?.Value);
            Assert.NotNull(package.GetEntry("README.md"));
            Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
            Assert.True(File.Exists(Path.ChangeExtension(feed.Package(id), ".snupkg")), $"{id}: no symbol package");
        }

        using var clients = ZipFile.OpenRead(feed.Package("ByzantineSim.Clients"));
        Assert.NotNull(clients.GetEntry("buildTransitive/ByzantineSim.Clients.targets"));
        Assert.NotNull(clients.GetEntry("buildTransitive/torchsharp/TorchSharpNativeFix.targets"));

        // The tool: a pointer package and this platform's package with the executable in it.
        using var tool = ZipFile.OpenRead(feed.Package($"ByzantineSim.Cli.{RuntimeInformation.RuntimeIdentifier}"));
        Assert.NotNull(tool.GetEntry($"tools/net10.0/{RuntimeInformation.RuntimeIdentifier}/byzsim.dll"));
        Assert.True(File.Exists(feed.Package("ByzantineSim.Cli")));
    }

    [Fact]
    public async Task Tool_InstalledFromTheLocalFeed_PrintsItsVersionAndRunsASweep()
    {
        string folder = feed.EmptyFolder("tool");
        await File.WriteAllTextAsync(Path.Combine(folder, "packaged.yaml"), Spec);
        string tools = Path.Combine(folder, "tools");
        var install = await feed.RunAsync(folder, "dotnet", "tool", "install", "ByzantineSim.Cli", "--tool-path", tools,
            "--add-source", feed.Folder, "--version", PackedFeed.Version);
        Assert.True(install.ExitCode == 0, install.ToString());

        string byzsim = Path.Combine(tools, OperatingSystem.IsWindows() ? "byzsim.exe" : "byzsim");
        var version = await feed.RunAsync(folder, byzsim, "--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith(PackedFeed.Version + "+", version.Output.Trim(), StringComparison.Ordinal);

        var run = await feed.RunAsync(folder, byzsim, "run", "packaged.yaml", "--plain", "--no-report");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 runs completed, 0 already complete, 0 failed", run.Output, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(folder, "results", "packaged"), "metrics.csv", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Library_ReadmeExampleInANewConsoleProject_RunsTheSweepWithTheSameMetricsAsTheCli()
    {
        string folder = feed.EmptyFolder("console");
        await File.WriteAllTextAsync(Path.Combine(folder, "experiments.yaml"), Spec);
        await File.WriteAllTextAsync(Path.Combine(folder, "Program.cs"), ReadmeProgram());
        await File.WriteAllTextAsync(Path.Combine(folder, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ByzantineSim" Version="{PackedFeed.Version}" />
              </ItemGroup>
            </Project>
            """);
        var run = await feed.RunAsync(folder, "dotnet", "run");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 runs completed; results in ", run.Output, StringComparison.Ordinal);

        // The same spec through this repository's own byzsim: the packaged library computes the same bits.
        string reference = feed.EmptyFolder("reference");
        await File.WriteAllTextAsync(Path.Combine(reference, "packaged.yaml"), Spec);
        var cli = await CliProcess.RunAsync(reference, "run", "packaged.yaml", "--plain", "--no-report");
        Assert.True(cli.ExitCode == 0, cli.Error);
        string[] expected = Directory.GetFiles(Path.Combine(reference, "results", "packaged"), "metrics.csv", SearchOption.AllDirectories);
        Assert.Equal(2, expected.Length);
        foreach (string file in expected)
        {
            string relative = Path.GetRelativePath(reference, file);
            Assert.Equal(await File.ReadAllTextAsync(file), await File.ReadAllTextAsync(Path.Combine(folder, relative)));
        }
    }

    private static XElement Nuspec(ZipArchive package)
    {
        var entry = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        var root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }
}
