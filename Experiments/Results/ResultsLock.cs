using System.Globalization;

namespace ByzantineSim.Experiments.Results;

/// <summary>
/// Ownership of a sweep's results folder by one writing process: the file <c>byzsim.lock</c> in
/// the folder holds the owner's pid and host name. A second <c>run</c> on the folder refuses with
/// the owner's name; a lock left by a process that is no longer running on this host is taken over.
/// The file appears complete or not at all (written aside, then linked into place).
/// </summary>
public sealed class ResultsLock : IDisposable
{
    /// <summary>The lock file's name in the results folder.</summary>
    public const string FileName = "byzsim.lock";

    private readonly string _path;
    private readonly string _content;

    private ResultsLock(string path, string content)
    {
        _path = path;
        _content = content;
    }

    /// <summary>Takes the lock of <paramref name="folder"/> (creating it), or throws <see cref="ResultsLockedException"/> naming the owner.</summary>
    public static ResultsLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        string content = string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}\nhost {Environment.MachineName}\n");
        string mine = string.Create(CultureInfo.InvariantCulture, $"{path}.{Environment.ProcessId}.tmp");
        AtomicFile.Default.Write(mine, content);
        try
        {
            // Two attempts: the second after taking over a stale lock.
            for (int attempt = 0; attempt < 2; attempt++)
            {
                if (TryLink(mine, path))
                {
                    return new ResultsLock(path, content);
                }

                string? owner = Read(path);
                var (pid, host) = Parse(owner);
                if (owner is null)
                {
                    continue; // released meanwhile
                }

                if (host != Environment.MachineName || AtomicFile.IsOtherProcessAlive(pid))
                {
                    throw new ResultsLockedException(folder, pid, host);
                }

                TakeOver(path, owner);
            }

            var (lastPid, lastHost) = Parse(Read(path));
            throw new ResultsLockedException(folder, lastPid, lastHost);
        }
        finally
        {
            File.Delete(mine);
        }
    }

    /// <summary>Releases the lock (if it is still this process's).</summary>
    public void Dispose()
    {
        if (Read(_path) == _content)
        {
            File.Delete(_path);
        }
    }

    // Removes a dead owner's lock, unless another process replaced it since it was read: the lock
    // is moved aside first (atomic), and put back if it turns out to be a live one.
    private static void TakeOver(string path, string staleContent)
    {
        string aside = string.Create(CultureInfo.InvariantCulture, $"{path}.{Environment.ProcessId}.stale.tmp");
        try
        {
            File.Move(path, aside, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        if (Read(aside) != staleContent)
        {
            TryLink(aside, path);
        }

        File.Delete(aside);
    }

    // link(2) fails when the target exists, so exactly one process creates the lock.
    private static bool TryLink(string source, string target)
    {
        try
        {
            File.Move(source, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            return false;
        }
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static (int Pid, string Host) Parse(string? content)
    {
        int pid = 0;
        string host = "?";
        foreach (string line in (content ?? "").Split('\n'))
        {
            if (line.StartsWith("pid ", StringComparison.Ordinal))
            {
                _ = int.TryParse(line[4..], NumberStyles.None, CultureInfo.InvariantCulture, out pid);
            }
            else if (line.StartsWith("host ", StringComparison.Ordinal))
            {
                host = line[5..];
            }
        }

        return (pid, host);
    }
}

/// <summary>A results folder is in use by another process.</summary>
public sealed class ResultsLockedException(string folder, int pid, string host)
    : IOException($"{folder}: in use by another byzsim run (pid {pid} on {host}); wait for it to end, or delete {Path.Combine(folder, ResultsLock.FileName)} if that process is gone");
