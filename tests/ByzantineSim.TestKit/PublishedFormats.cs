using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace ByzantineSim.TestKit;

/// <summary>
/// Writes small files in the formats the publishers of EMNIST and LEAF ship, so the loaders are
/// tested on the bytes a user's files hold (CIFAR's are written by <c>GeneratedCifar</c> in
/// Clients, which <c>byzsim bench</c> uses too). Contents are pure functions of the sample index
/// (<see cref="EmnistStoredPixel"/>, ...), so a test can say which value belongs where.
/// </summary>
public static class PublishedFormats
{
    /// <summary>The stored byte at (<paramref name="row"/>, <paramref name="column"/>) of EMNIST image <paramref name="sample"/>, as written to the file.</summary>
    public static byte EmnistStoredPixel(int sample, int row, int column) => (byte)((sample * 31) + (row * 28) + (column * 3));

    /// <summary>
    /// Writes EMNIST's four gzip IDX files of <paramref name="split"/> (<c>emnist-balanced-train-images-idx3-ubyte.gz</c>, ...),
    /// with stored labels (i % classes) + <paramref name="labelBase"/> (letters number its classes from 1).
    /// </summary>
    public static void WriteEmnist(string folder, string split, int train, int test, int classes, int labelBase)
    {
        Directory.CreateDirectory(folder);
        foreach (var (part, count) in new[] { ("train", train), ("test", test) })
        {
            var images = new byte[count * 28 * 28];
            for (int i = 0; i < count; i++)
            {
                for (int r = 0; r < 28; r++)
                {
                    for (int c = 0; c < 28; c++)
                    {
                        images[(i * 784) + (r * 28) + c] = EmnistStoredPixel(i, r, c);
                    }
                }
            }

            WriteGzip(Path.Combine(folder, $"emnist-{split}-{part}-images-idx3-ubyte.gz"), Idx([count, 28, 28], images));
            WriteGzip(Path.Combine(folder, $"emnist-{split}-{part}-labels-idx1-ubyte.gz"), Idx([count], [.. Enumerable.Range(0, count).Select(i => (byte)((i % classes) + labelBase))]));
        }
    }

    /// <summary>An IDX file of unsigned bytes (magic 0x00000803 or 0x00000801, big-endian sizes).</summary>
    public static byte[] Idx(int[] dimensions, byte[] data)
    {
        using var stream = new MemoryStream();
        stream.Write([0, 0, 0x08, (byte)dimensions.Length]);
        foreach (int size in dimensions)
        {
            stream.Write([(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);
        }

        stream.Write(data);
        return stream.ToArray();
    }

    private static void WriteGzip(string path, byte[] bytes)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(bytes);
    }

    /// <summary>One LEAF user's samples: FEMNIST pixel rows or Shakespeare strings, and labels.</summary>
    /// <param name="Name">The user's id.</param>
    /// <param name="X">Samples: float[784] (FEMNIST) or string (Shakespeare).</param>
    /// <param name="Y">Labels: int (FEMNIST) or a one-character string (Shakespeare).</param>
    public sealed record LeafUser(string Name, IReadOnlyList<object> X, IReadOnlyList<object> Y);

    /// <summary>
    /// FEMNIST users <c>f0000_00</c>, ... in a shuffled file order; user u has 10 + 3u training
    /// samples (one in four of them, plus two more, go to the test files), labels (u * 7 + k) % 62.
    /// </summary>
    public static IReadOnlyList<(LeafUser Train, LeafUser Test)> FemnistUsers(int users) =>
        [.. Enumerable.Range(0, users).Select(u =>
        {
            int count = 10 + (3 * u);
            var samples = Enumerable.Range(0, count + (count / 4) + 2).Select(k => (X: (object)Enumerable.Range(0, 784).Select(p => (float)(((u * 13) + (k * 5) + p) % 256) / 255f).ToArray(), Y: (object)(((u * 7) + k) % 62))).ToList();
            string name = $"f{u:D4}_{(u * 37) % 100:D2}";
            return (new LeafUser(name, [.. samples.Take(count).Select(s => s.X)], [.. samples.Take(count).Select(s => s.Y)]),
                new LeafUser(name, [.. samples.Skip(count).Select(s => s.X)], [.. samples.Skip(count).Select(s => s.Y)]));
        })];

    /// <summary>Shakespeare roles with 80-character lines of LEAF's alphabet and their next character.</summary>
    public static IReadOnlyList<(LeafUser Train, LeafUser Test)> ShakespeareUsers(int users, string alphabet) =>
        [.. Enumerable.Range(0, users).Select(u =>
        {
            int count = 12 + (4 * u);
            var text = new StringBuilder();
            for (int i = 0; i < count + 100; i++)
            {
                // Each role repeats its own short cycle of characters, so the next one is predictable.
                text.Append(alphabet[((u * 11) + ((i % (5 + u)) * 3)) % alphabet.Length]);
            }

            string all = text.ToString();
            var samples = Enumerable.Range(0, count + 5).Select(k => (X: (object)all.Substring(k, 80), Y: (object)all[k + 80].ToString())).ToList();
            string name = $"THE_TRAGEDY_{u}_ROLE{(char)('A' + (u % 26))}";
            return (new LeafUser(name, [.. samples.Take(count).Select(s => s.X)], [.. samples.Take(count).Select(s => s.Y)]),
                new LeafUser(name, [.. samples.Skip(count).Select(s => s.X)], [.. samples.Skip(count).Select(s => s.Y)]));
        })];

    /// <summary>
    /// Writes <paramref name="users"/> as LEAF does: <c>train/</c> and <c>test/</c>, each with
    /// JSON files of at most <paramref name="perFile"/> users (<c>users</c>, <c>num_samples</c>, <c>user_data</c>).
    /// </summary>
    public static void WriteLeaf(string folder, IReadOnlyList<(LeafUser Train, LeafUser Test)> users, int perFile)
    {
        foreach (var (part, pick) in new (string, Func<(LeafUser Train, LeafUser Test), LeafUser>)[] { ("train", u => u.Train), ("test", u => u.Test) })
        {
            string directory = Path.Combine(folder, part);
            Directory.CreateDirectory(directory);

            // Reverse order: the loader must sort users by id, not trust the file order.
            var ordered = users.Select(pick).Reverse().ToList();
            for (int file = 0; file * perFile < ordered.Count; file++)
            {
                var chunk = ordered.Skip(file * perFile).Take(perFile).ToList();
                var json = new Dictionary<string, object>
                {
                    ["users"] = chunk.Select(u => u.Name).ToList(),
                    ["num_samples"] = chunk.Select(u => u.X.Count).ToList(),
                    ["user_data"] = chunk.ToDictionary(u => u.Name, u => (object)new Dictionary<string, object> { ["x"] = u.X, ["y"] = u.Y }),
                };
                File.WriteAllText(Path.Combine(directory, $"all_data_{file}_niid_1_keep_0_{part}_9.json"), JsonSerializer.Serialize(json));
            }
        }
    }
}
