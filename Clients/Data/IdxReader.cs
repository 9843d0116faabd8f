using System.Buffers.Binary;
using System.IO.Compression;

namespace ByzantineSim.Clients.Data;

/// <summary>
/// Reads the IDX format of MNIST, Fashion-MNIST and EMNIST (LeCun et al.): a big-endian header
/// (two zero bytes, a type code, the number of dimensions, one 32-bit size per dimension)
/// followed by the data. Files may be gzip-compressed or raw; the gzip magic decides.
/// Only unsigned-byte data (type 0x08) is supported, which is what these data sets use.
/// </summary>
public static class IdxReader
{
    /// <summary>An IDX file's dimensions and its raw bytes.</summary>
    /// <param name="Dimensions">Size of each dimension.</param>
    /// <param name="Data">The values, row-major.</param>
    public sealed record IdxFile(ImmutableArray<int> Dimensions, ImmutableArray<byte> Data);

    /// <summary>Reads an IDX file; throws <see cref="InvalidDataException"/> naming the file on any inconsistency.</summary>
    public static IdxFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file not found: {path}", path);
        }

        byte[] bytes;
        try
        {
            bytes = ReadAllBytesMaybeGzip(path);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: corrupt gzip stream ({ex.Message})", ex);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses IDX bytes; <paramref name="source"/> names them in errors.</summary>
    public static IdxFile Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 4)
        {
            throw new InvalidDataException($"{source}: too short for an IDX header ({bytes.Length} bytes)");
        }

        if (bytes[0] != 0 || bytes[1] != 0)
        {
            throw new InvalidDataException($"{source}: not an IDX file (magic must start with two zero bytes)");
        }

        if (bytes[2] != 0x08)
        {
            throw new InvalidDataException($"{source}: unsupported IDX element type 0x{bytes[2]:x2} (only unsigned bytes, 0x08)");
        }

        int rank = bytes[3];
        int headerLength = 4 + (4 * rank);
        if (rank == 0 || bytes.Length < headerLength)
        {
            throw new InvalidDataException($"{source}: truncated IDX header ({rank} dimensions, {bytes.Length} bytes)");
        }

        var dimensions = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 + (4 * i), 4));
            if (dimensions[i] <= 0)
            {
                throw new InvalidDataException($"{source}: dimension {i} has size {dimensions[i]}");
            }

            expected *= dimensions[i];
        }

        long actual = bytes.Length - headerLength;
        if (actual != expected)
        {
            throw new InvalidDataException(
                $"{source}: header promises {expected} values ({string.Join(" x ", dimensions)}) but the file holds {actual}" +
                (actual < expected ? " (truncated?)" : ""));
        }

        return new IdxFile([.. dimensions], [.. bytes[headerLength..]]);
    }

    private static byte[] ReadAllBytesMaybeGzip(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int read = file.Read(magic);
        file.Position = 0;
        if (read == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            gzip.CopyTo(buffer);
            return buffer.ToArray();
        }

        return File.ReadAllBytes(path);
    }
}
