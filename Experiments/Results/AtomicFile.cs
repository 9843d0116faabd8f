using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ByzantineSim.Experiments.Results;

/// <summary>
/// The one way results, indexes and reports reach the disk: each file is written to
/// <c>&lt;name&gt;.&lt;pid&gt;.tmp</c> in the same folder, flushed to the device (fsync), then renamed
/// over the target, so a reader or a process killed at any moment sees the old file or the new
/// one, never a part. A failed write removes its temporary file and throws the
/// <see cref="IOException"/>. The pid in the temporary name lets <see cref="CleanStale"/> remove
/// what killed processes left without touching a live writer's file.
/// </summary>
/// <param name="open">Opens a temporary file for writing (the seam tests use to simulate a full disk).</param>
public sealed class AtomicFile(Func<string, Stream> open)
{
    private const string Suffix = ".tmp";

    /// <summary>Writes to real files.</summary>
    public static AtomicFile Default { get; } = new(path => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None));

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public void Write(string path, string text) => Write(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public void Write(string path, ReadOnlySpan<byte> bytes)
    {
        string temporary = string.Create(CultureInfo.InvariantCulture, $"{path}.{Environment.ProcessId}{Suffix}");
        try
        {
            using (var stream = open(temporary))
            {
                stream.Write(bytes);
                stream.Flush();
                if (stream is FileStream file)
                {
                    file.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporary files under <paramref name="folder"/> (recursively) whose writer is
    /// no longer running; returns how many. Files of another live process (a <c>report</c> beside a run) stay; call it before this process writes there.
    /// </summary>
    public static int CleanStale(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(folder, "*" + Suffix, SearchOption.AllDirectories))
        {
            if (!IsOtherProcessAlive(WriterOf(file)) && TryDelete(file))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// True when another process with this id runs on this machine. This process's own id counts
    /// as dead: met in a file it did not write yet, it is a killed predecessor's (containers reuse ids).
    /// </summary>
    internal static bool IsOtherProcessAlive(int pid)
    {
        if (pid <= 0 || pid == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    // "<name>.<pid>.tmp" -> pid; 0 when the name has another shape (then it is not ours to keep).
    private static int WriterOf(string file)
    {
        string stem = Path.GetFileNameWithoutExtension(file);
        return int.TryParse(Path.GetExtension(stem).TrimStart('.'), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : 0;
    }

    private static bool TryDelete(string file)
    {
        try
        {
            File.Delete(file);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // best effort: a leftover is removed at the next start
        }
    }
}
