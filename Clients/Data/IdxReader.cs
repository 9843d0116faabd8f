using System.Runtime.InteropServices;
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

    /// <summary>
    /// Reads an IDX file; throws <see cref="InvalidDataException"/> naming the file on any
    /// inconsistency. The header is read first and the values straight into one array of the
    /// size it promises, so a 47 MB image file costs 47 MB, not the several copies that
    /// decompressing into a growing buffer and slicing it would leave for the collector.
    /// </summary>
    public static IdxFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file not found: {path}", path);
        }

        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int read = file.Read(magic);
        file.Position = 0;
        bool gzip = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        try
        {
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            return Read(stream, path);
        }
        catch (InvalidDataException ex) when (gzip && ex.Source != IdxSource)
        {
            throw new InvalidDataException($"{path}: corrupt gzip stream ({ex.Message})", ex);
        }
    }

    /// <summary>The exceptions this reader raises about the file's contents carry this source, so that they are not taken for gzip's.</summary>
    private const string IdxSource = "ByzantineSim.IdxReader";

    /// <summary>
    /// The fast path: a well-formed header, then exactly the values it promises. Anything else
    /// reads the rest of the stream and lets <see cref="Parse"/> name the problem, with the
    /// same words as for a file read whole.
    /// </summary>
    private static IdxFile Read(Stream stream, string source)
    {
        var head = new byte[4];
        int got = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (got == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && head[3] > 0)
        {
            var sizes = new byte[4 * head[3]];
            int gotSizes = stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
            var dimensions = new int[head[3]];
            long expected = gotSizes == sizes.Length ? 1 : 0;
            for (int i = 0; i < dimensions.Length && expected > 0 && expected <= Array.MaxLength; i++)
            {
                dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i, 4));
                expected = dimensions[i] > 0 ? expected * dimensions[i] : 0;
            }

            if (expected > 0 && expected <= Array.MaxLength)
            {
                var data = new byte[expected];
                int gotData = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
                int extra = gotData == data.Length ? stream.ReadByte() : -1;
                if (gotData == data.Length && extra < 0)
                {
                    return new IdxFile(ImmutableCollectionsMarshal.AsImmutableArray(dimensions), ImmutableCollectionsMarshal.AsImmutableArray(data));
                }

                return ParseWhole(stream, source, head, sizes, data.AsSpan(0, gotData), extra);
            }

            return ParseWhole(stream, source, head, sizes.AsSpan(0, gotSizes), []);
        }

        return ParseWhole(stream, source, head.AsSpan(0, got), [], []);
    }

    /// <summary>Reassembles what was read with the rest of the stream and parses it whole, which throws the precise error.</summary>
    private static IdxFile ParseWhole(Stream stream, string source, ReadOnlySpan<byte> head, ReadOnlySpan<byte> sizes, ReadOnlySpan<byte> data, int extra = -1)
    {
        using var whole = new MemoryStream();
        whole.Write(head);
        whole.Write(sizes);
        whole.Write(data);
        if (extra >= 0)
        {
            whole.WriteByte((byte)extra);
        }

        stream.CopyTo(whole);
        try
        {
            return Parse(whole.GetBuffer().AsSpan(0, (int)whole.Length), source);
        }
        catch (InvalidDataException ex)
        {
            ex.Source = IdxSource;
            throw;
        }
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
}
