using System.Diagnostics;
using System.Globalization;

namespace ByzantineSim.Experiments.Tests.Results;

public sealed class AtomicFileTests() : TempFolderTest("byzsim-atomic-")
{
    private string[] Temporaries() => Directory.GetFiles(Folder, "*.tmp", SearchOption.AllDirectories);

    [Fact]
    public void Write_ExistingFile_ReplacedWholeWithoutTemporary()
    {
        string path = Path.Combine(Folder, "runs.csv");
        File.WriteAllText(path, "old");
        AtomicFile.Default.Write(path, "new,text\n");
        Assert.Equal("new,text\n", File.ReadAllText(path));
        Assert.Empty(Temporaries());
    }

    [Fact]
    public void Write_DiskFullMidWrite_ThrowsKeepsOldFileAndRemovesTemporary()
    {
        string path = Path.Combine(Folder, "runs.csv");
        File.WriteAllText(path, "old");
        var full = new AtomicFile(temporary => new FullDiskStream(new FileStream(temporary, FileMode.Create), bytesLeft: 3));
        var error = Assert.Throws<IOException>(() => full.Write(path, "a longer text than fits"));
        Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Empty(Temporaries());
    }

    [Fact]
    public void CleanStale_DeadAndLiveWriters_RemovesOnlyTheDeadWritersTemporaries()
    {
        using var live = Process.Start("sleep", "30")!;
        try
        {
            Directory.CreateDirectory(Path.Combine(Folder, "run"));
            string dead = Path.Combine(Folder, "run", $"metrics.csv.{DeadPid()}.tmp");
            string alive = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"report.html.{live.Id}.tmp"));
            string foreign = Path.Combine(Folder, "notes.tmp");
            foreach (string file in new[] { dead, alive, foreign })
            {
                File.WriteAllText(file, "");
            }

            Assert.Equal(2, AtomicFile.CleanStale(Folder));
            Assert.Equal([alive], Temporaries());
        }
        finally
        {
            live.Kill();
        }
    }

    /// <summary>A pid no process has: one of a child that has exited.</summary>
    internal static string DeadPid()
    {
        using var child = Process.Start("true")!;
        child.WaitForExit();
        return child.Id.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>A stream over a file that runs out of space after <c>bytesLeft</c> bytes, as ENOSPC does.</summary>
internal sealed class FullDiskStream(Stream inner, int bytesLeft) : Stream
{
    private int _left = bytesLeft;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int fits = Math.Min(_left, buffer.Length);
        inner.Write(buffer[..fits]);
        _left -= fits;
        if (fits < buffer.Length)
        {
            throw new IOException("No space left on device");
        }
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
