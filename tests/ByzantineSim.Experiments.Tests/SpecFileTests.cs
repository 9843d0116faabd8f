using System.Diagnostics;
using ByzantineSim.Experiments.Yaml;

namespace ByzantineSim.Experiments.Tests;

/// <summary>Reading a spec file: only regular files, at most <see cref="YamlLimits.MaxFileBytes"/>, refused quickly otherwise.</summary>
public sealed class SpecFileTests() : TempFolderTest("byzsim-specfile-")
{
    /// <summary>Loads on another thread so that a loader that blocks or reads for ever fails the test instead of hanging it.</summary>
    private static string LoadError(string path)
    {
        var load = Task.Run(() => Assert.Throws<SpecException>(() => SweepLoader.Load(path)));
        Assert.True(load.Wait(TimeSpan.FromSeconds(20)), $"loading {path} did not return");
        return Assert.Single(load.Result.Errors).ToString();
    }

    [Fact]
    public void OversizedFile_IsRefusedWithoutParsing()
    {
        // A valid spec padded with a comment to one byte over the limit.
        string path = Path.Combine(Folder, "big.yaml");
        string head = "sweep: s\n#";
        System.IO.File.WriteAllText(path, head + new string('x', YamlLimits.MaxFileBytes + 1 - head.Length));
        Assert.Equal($"{path}: is larger than {YamlLimits.MaxFileBytes / 1024} KiB, the limit for a spec file", LoadError(path));
    }

    [Fact]
    public void FileAtTheSizeLimit_IsRead()
    {
        string path = Path.Combine(Folder, "full.yaml");
        string head = "sweep: s\n#";
        System.IO.File.WriteAllText(path, head + new string('x', YamlLimits.MaxFileBytes - head.Length));
        Assert.Equal("s", SweepLoader.Load(path).Name);
    }

    [Fact]
    public void Folder_IsRefusedAsAFolderNotAsMissing() =>
        Assert.Equal($"{Folder}: is a folder, not a regular file; give a YAML spec file", LoadError(Folder));

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void Device_IsRefusedQuickly(string device)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the file-type check uses Linux's statx
        }

        Assert.Equal($"{device}: is a character device, not a regular file; give a YAML spec file", LoadError(device));
    }

    [Fact]
    public void NamedPipe_IsRefusedWithoutWaitingForAWriter()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the file-type check uses Linux's statx
        }

        string path = Path.Combine(Folder, "pipe.yaml");
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Assert.Equal($"{path}: is a named pipe (FIFO), not a regular file; give a YAML spec file", LoadError(path));
    }
}
