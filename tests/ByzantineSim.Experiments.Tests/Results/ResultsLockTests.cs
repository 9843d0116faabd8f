using System.Diagnostics;
using System.Globalization;

namespace ByzantineSim.Experiments.Tests.Results;

public sealed class ResultsLockTests() : TempFolderTest("byzsim-lock-")
{
    private string LockFile => Path.Combine(Folder, ResultsLock.FileName);

    private void Owner(string pid, string host) => File.WriteAllText(LockFile, $"pid {pid}\nhost {host}\n");

    [Fact]
    public void Acquire_FreeFolder_WritesPidAndHostAndDisposeRemovesIt()
    {
        using (ResultsLock.Acquire(Folder))
        {
            Assert.Equal($"pid {Environment.ProcessId}\nhost {Environment.MachineName}\n", File.ReadAllText(LockFile));
        }

        Assert.False(File.Exists(LockFile));
        Assert.Empty(Directory.GetFiles(Folder));
    }

    [Fact]
    public void Acquire_HeldByLiveProcess_RefusesNamingTheOwner()
    {
        using var owner = Process.Start("sleep", "30")!;
        try
        {
            string pid = owner.Id.ToString(CultureInfo.InvariantCulture);
            Owner(pid, Environment.MachineName);
            var error = Assert.Throws<ResultsLockedException>(() => ResultsLock.Acquire(Folder));
            Assert.Equal(
                $"{Folder}: in use by another byzsim run (pid {pid} on {Environment.MachineName}); wait for it to end, or delete {LockFile} if that process is gone",
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
        var error = Assert.Throws<ResultsLockedException>(() => ResultsLock.Acquire(Folder));
        Assert.Contains(" on elsewhere)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Acquire_LeftByDeadProcessOnThisHost_TakesItOver()
    {
        Owner(AtomicFileTests.DeadPid(), Environment.MachineName);
        using (ResultsLock.Acquire(Folder))
        {
            Assert.Equal($"pid {Environment.ProcessId}\nhost {Environment.MachineName}\n", File.ReadAllText(LockFile));
        }

        Assert.Empty(Directory.GetFiles(Folder));
    }
}
