using System.Runtime.InteropServices;
using System.Text;
using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Experiments.Yaml;

/// <summary>
/// Reads a spec file's text, refusing what is not a regular file (a device such as
/// <c>/dev/urandom</c> never ends; a named pipe blocks the open until a writer comes) and
/// reading at most <see cref="YamlLimits.MaxFileBytes"/>.
/// </summary>
public static partial class SpecFile
{
    /// <summary>The text of <paramref name="path"/>; throws <see cref="SpecException"/> for a file that is not a regular file or is too large.</summary>
    public static string Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw Refuse(path, "is a folder, not a regular file; give a YAML spec file");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"spec file not found: {path}", path);
        }

        if (NotRegular(path) is { } kind)
        {
            throw Refuse(path, $"is {kind}, not a regular file; give a YAML spec file");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[YamlLimits.MaxFileBytes + 1];
        int length = 0, read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        if (length > YamlLimits.MaxFileBytes)
        {
            throw Refuse(path, $"is larger than {YamlLimits.MaxFileBytes / 1024} KiB, the limit for a spec file");
        }

        // As File.ReadAllText: UTF-8 unless a byte-order mark says otherwise.
        using var reader = new StreamReader(new MemoryStream(buffer, 0, length), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static SpecException Refuse(string path, string message) =>
        new(path, [new SpecError(new SourceLocation(path, 0, 0), "", message)]);

    /// <summary>What kind of file <paramref name="path"/> is when it is not a regular file; null when it is, or cannot be told.</summary>
    private static string? NotRegular(string path)
    {
        // .NET has no file-type API; statx's layout is the same on every Linux architecture.
        // Elsewhere the bounded read still stops a device, but not a named pipe's open.
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        const int AtFdCwd = -100;
        const uint StatxType = 0x1;
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return null;
        }

        int type = BitConverter.ToUInt16(buffer[28..30]) & 0xF000;
        return type switch
        {
            0x8000 => null,
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "a special file",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);
}
