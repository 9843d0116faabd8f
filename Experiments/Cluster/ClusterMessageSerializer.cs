using System.Collections.Immutable;
using System.IO.Compression;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Experiments.Cluster;

/// <summary>
/// Compact binary form of <see cref="IClusterMessage"/>s: length-prefixed UTF-8 strings and
/// integers, a one- to four-letter manifest per type, and result files Brotli-compressed (CSV text
/// shrinks several times over). No type names travel, so a peer can only ever make one of these
/// records, whatever bytes it sends.
/// </summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem actorSystem) : SerializerWithStringManifest(actorSystem)
{
    /// <summary>The serializer's id in the cluster configuration (0-40 are Akka's own).</summary>
    public const int Id = 8108;

    private const string Register = "reg";
    private const string Registered = "ack";
    private const string Assigned = "run";
    private const string Succeeded = "ok";
    private const string Failed = "fail";
    private const string Finished = "done";

    private static readonly UTF8Encoding Utf8 = new(false, throwOnInvalidBytes: true);

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        RegisterWorker => Register,
        WorkerRegistered => Registered,
        RunAssigned => Assigned,
        RunSucceeded => Succeeded,
        RunFailedOnWorker => Failed,
        SweepFinished => Finished,
        _ => throw Unknown(o.GetType().FullName),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream();
        if (obj is RunSucceeded succeeded)
        {
            using (var compressed = new BrotliStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            using (var writer = new BinaryWriter(compressed, Utf8))
            {
                writer.Write(succeeded.RunId);
                writer.Write(succeeded.SpecHash);
                WritePairs(writer, succeeded.Files, file => (file.Name, file.Content));
            }

            return buffer.ToArray();
        }

        using (var writer = new BinaryWriter(buffer, Utf8, leaveOpen: true))
        {
            switch (obj)
            {
                case RegisterWorker register:
                    writer.Write(register.Capacity);
                    break;
                case WorkerRegistered registered:
                    writer.Write(registered.Sweep);
                    writer.Write(Akka.Serialization.Serialization.SerializedActorPath(registered.Reports));
                    break;
                case RunAssigned assigned:
                    writer.Write(assigned.RunId);
                    writer.Write(assigned.Spec);
                    WritePairs(writer, assigned.Labels, label => (label.Axis, label.Value));
                    break;
                case RunFailedOnWorker failed:
                    writer.Write(failed.RunId);
                    writer.Write(failed.Reason);
                    break;
                case SweepFinished:
                    break;
                default:
                    throw Unknown(obj.GetType().FullName);
            }
        }

        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            if (manifest == Succeeded)
            {
                using var decompressed = new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var files = new BinaryReader(decompressed, Utf8);
                string runId = files.ReadString();
                string hash = files.ReadString();
                return new RunSucceeded(runId, hash, ReadPairs(files, (name, content) => new ResultFile(name, content)));
            }

            using var reader = new BinaryReader(new MemoryStream(bytes), Utf8);
            object message = manifest switch
            {
                Register => new RegisterWorker(reader.ReadInt32()),
                Registered => new WorkerRegistered(reader.ReadString(), system.Provider.ResolveActorRef(reader.ReadString())),
                Assigned => ReadAssigned(reader),
                Failed => new RunFailedOnWorker(reader.ReadString(), reader.ReadString()),
                Finished => SweepFinished.Instance,
                _ => throw Unknown(manifest),
            };
            if (reader.BaseStream.Position != bytes.Length)
            {
                throw new SerializationException($"{bytes.Length - reader.BaseStream.Position} trailing bytes after a '{manifest}' message");
            }

            return message;
        }
        catch (Exception ex) when (ex is EndOfStreamException or DecoderFallbackException or IOException or InvalidDataException)
        {
            throw new SerializationException($"malformed '{manifest}' message: {ex.Message}", ex);
        }
    }

    private static RunAssigned ReadAssigned(BinaryReader reader)
    {
        string runId = reader.ReadString();
        string spec = reader.ReadString();
        return new RunAssigned(runId, spec, ReadPairs(reader, (axis, value) => new AxisValue(axis, value)));
    }

    /// <summary>Writes a counted list of string pairs, the form <see cref="ReadPairs"/> reads.</summary>
    private static void WritePairs<T>(BinaryWriter writer, ImmutableArray<T> items, Func<T, (string First, string Second)> pair)
    {
        writer.Write(items.Length);
        foreach (var item in items)
        {
            var (first, second) = pair(item);
            writer.Write(first);
            writer.Write(second);
        }
    }

    /// <summary>A counted list of string pairs, each made into a <typeparamref name="T"/>.</summary>
    private static ImmutableArray<T> ReadPairs<T>(BinaryReader reader, Func<string, string, T> make)
    {
        var list = ImmutableArray.CreateBuilder<T>(Count(reader));
        for (int i = list.Capacity; i > 0; i--)
        {
            string first = reader.ReadString();
            list.Add(make(first, reader.ReadString()));
        }

        return list.MoveToImmutable();
    }

    // A count read from the wire sizes an allocation: bound it before trusting it.
    private static int Count(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        return count is >= 0 and <= 10_000 ? count : throw new SerializationException($"implausible element count {count}");
    }

    private static SerializationException Unknown(string? what) =>
        new($"{nameof(ClusterMessageSerializer)} does not handle '{what}'");
}
