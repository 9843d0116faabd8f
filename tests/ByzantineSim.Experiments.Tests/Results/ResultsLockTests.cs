using System.Diagnostics;
using System.Globalization;
using ByzantineSim.Experiments.Results;

namespace ByzantineSim.Experiments.Tests.Results;

public sealed class ResultsLockTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byzsim-lock-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string LockFile => Path.Combine(_folder, ResultsLock.FileName);

    private void Owner(string pid, string host) => File.WriteAllText(LockFile, $"pid {pid}\nhost {host}\n");

    [Fact]
    public void Acquire_FreeFolder_WritesPidAndHostAndDisposeRemovesIt()
    {
        using (ResultsLock.Acquire(_folder))
        {
            Assert.Equal($"pid {Environment.ProcessId}\nhost {Environment.MachineName}\n", File.ReadAllText(LockFile));
        }

        Assert.False(File.Exists(LockFile));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Acquire_HeldByLiveProcess_RefusesNamingTheOwner()
    {
        using var owner = Process.Start("sleep", "30")!;
        try
        {
            string pid = owner.Id.ToString(CultureInfo.InvariantCulture);
            Owner(pid, Environment.MachineName);
            var error = Assert.Throws<ResultsLockedException>(() => ResultsLock.Acquire(_folder));
            Assert.Equal(
                $"{_folder}: in use by another byzsim run (pid {pid} on {Environment.MachineName}); wait for it to end, or delete {LockFile} if that process is gone",
                error.Message);
            Assert.Equal($"pid {pid}\nhost {Environment.MachineName}\n", File.ReadAllText(LockFile));
        }
        finally
        {
            owner.Kill();
        }
    }

    [Fact]
    public void Acquire_HeldOnAnotherHost_RefusesEvenWithoutThatPidHere()
    {
        Owner(AtomicFileTests.DeadPid(), "elsewhere");
        var error = Assert.Throws<ResultsLockedException>(() => ResultsLock.Acquire(_folder));
        Assert.Contains(" on elsewhere)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Acquire_LeftByDeadProcessOnThisHost_TakesItOver()
    {
        Owner(AtomicFileTests.DeadPid(), Environment.MachineName);
        using (ResultsLock.Acquire(_folder))
        {
            Assert.Equal($"pid {Environment.ProcessId}\nhost {Environment.MachineName}\n", File.ReadAllText(LockFile));
        }

        Assert.Empty(Directory.GetFiles(_folder));
    }
}
