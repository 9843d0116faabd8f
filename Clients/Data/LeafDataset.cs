using System.Text.Json;

namespace ByzantineSim.Clients.Data;

/// <summary>The LEAF benchmarks this loader reads.</summary>
public enum LeafTask
{
    /// <summary>FEMNIST: 28x28 grey characters (x: 784 values in [0, 1]), 62 classes, one user per writer.</summary>
    Femnist,

    /// <summary>Shakespeare: next-character prediction (x: an 80-character string, y: the next character), one user per speaking role.</summary>
    Shakespeare,
}

/// <summary>
/// Reads LEAF's JSON files (Caldas et al. 2018, arXiv 1812.01097; github.com/TalwalkarLab/leaf):
/// a folder with <c>train/</c> and <c>test/</c> subfolders of <c>*.json</c> files, each an
/// object with <c>users</c>, <c>num_samples</c> and <c>user_data</c> (per user, lists
/// <c>x</c> and <c>y</c>), as LEAF's <c>preprocess.sh -t sample</c> writes them. As in LEAF's
/// <c>model_utils.read_dir</c>, users are sorted by id and each user's samples kept in file
/// order; every sample records its user (<see cref="Dataset.Users"/>), the natural partition.
/// FEMNIST pixels are kept as LEAF stores them (p / 255); Shakespeare characters become their
/// index in LEAF's 80-letter alphabet (<see cref="Alphabet"/>, from <c>language_utils.py</c>).
/// </summary>
public static class LeafDataset
{
    /// <summary>LEAF's <c>ALL_LETTERS</c> (models/utils/language_utils.py): a character's class is its index here.</summary>
    public const string Alphabet = "\n !\"&'(),-.0123456789:;>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz}";

    /// <summary>FEMNIST's classes: 10 digits, 26 upper-case and 26 lower-case letters.</summary>
    public const int FemnistClasses = 62;

    /// <summary>FEMNIST's image side.</summary>
    public const int FemnistSide = 28;

    /// <summary>The subfolders a LEAF data folder must hold, each with at least one <c>.json</c> file.</summary>
    public static ImmutableArray<string> Parts { get; } = ["train", "test"];

    /// <summary>Descriptions of what <paramref name="folder"/> lacks (empty when both parts have JSON files).</summary>
    public static ImmutableArray<string> MissingFiles(string folder) =>
        [.. Parts.Select(part => Path.Combine(folder, part)).Where(dir => !Directory.Exists(dir) || Directory.GetFiles(dir, "*.json").Length == 0).Select(dir => Path.Combine(dir, "*.json"))];

    /// <summary>Loads the training and test sets; every error names the file and the user.</summary>
    public static DataSplit Load(string folder, LeafTask task, string name)
    {
        var missing = MissingFiles(folder);
        if (!missing.IsEmpty)
        {
            throw new FileNotFoundException($"{name}: missing {string.Join(", ", missing)}");
        }

        var train = ReadPart(Path.Combine(folder, "train"), task, $"{name}/train");
        var test = ReadPart(Path.Combine(folder, "test"), task, $"{name}/test");
        if (!train.SampleShape.SequenceEqual(test.SampleShape))
        {
            throw new InvalidDataException($"{name}: train samples are [{string.Join(", ", train.SampleShape)}] but test samples are [{string.Join(", ", test.SampleShape)}]");
        }

        return new DataSplit(train, test);
    }

    private static Dataset ReadPart(string directory, LeafTask task, string name)
    {
        var users = new SortedDictionary<string, (List<float[]> X, List<int> Y)>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            ReadFile(file, task, users);
        }

        int width = users.Values.SelectMany(u => u.X).Select(x => x.Length).DefaultIfEmpty(0).First();
        var features = new List<float>();
        var labels = new List<int>();
        var owners = new List<int>();
        int index = 0;
        foreach (var (user, (x, y)) in users)
        {
            foreach (var row in x)
            {
                if (row.Length != width)
                {
                    throw new InvalidDataException($"{directory}: user {user} has a sample of {row.Length} values, others have {width}");
                }

                features.AddRange(row);
                owners.Add(index);
            }

            labels.AddRange(y);
            index++;
        }

        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{directory}: the JSON files hold no samples");
        }

        ImmutableArray<int> shape = task == LeafTask.Femnist ? [1, FemnistSide, FemnistSide] : [width];
        int classes = task == LeafTask.Femnist ? FemnistClasses : Alphabet.Length;
        return new Dataset(name, shape, classes, [.. features], [.. labels], users: new DatasetUsers([.. users.Keys], [.. owners]));
    }

    private static void ReadFile(string file, LeafTask task, SortedDictionary<string, (List<float[]> X, List<int> Y)> users)
    {
        using var stream = File.OpenRead(file);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            var names = Member(root, "users", JsonValueKind.Array, file).EnumerateArray().Select(u => u.GetString() ?? "").ToList();
            var counts = Member(root, "num_samples", JsonValueKind.Array, file).EnumerateArray().Select(n => n.GetInt32()).ToList();
            var data = Member(root, "user_data", JsonValueKind.Object, file);
            if (counts.Count != names.Count)
            {
                throw new InvalidDataException($"{file}: {names.Count} users but {counts.Count} num_samples");
            }

            for (int u = 0; u < names.Count; u++)
            {
                string where = $"{file}: user_data.{names[u]}";
                if (!data.TryGetProperty(names[u], out var user))
                {
                    throw new InvalidDataException($"{where}: missing (the user is listed in users)");
                }

                var x = Member(user, "x", JsonValueKind.Array, where).EnumerateArray().Select(v => Sample(v, task, where)).ToList();
                var y = Member(user, "y", JsonValueKind.Array, where).EnumerateArray().Select(v => Label(v, task, where)).ToList();
                if (x.Count != y.Count || x.Count != counts[u])
                {
                    throw new InvalidDataException($"{where}: {x.Count} x and {y.Count} y, but num_samples says {counts[u]}");
                }

                if (users.ContainsKey(names[u]))
                {
                    throw new InvalidDataException($"{where}: user {names[u]} appears in more than one file");
                }

                users.Add(names[u], (x, y));
            }
        }
    }

    private static JsonElement Member(JsonElement element, string name, JsonValueKind kind, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new InvalidDataException($"{where}: no '{name}' {(kind == JsonValueKind.Array ? "list" : "object")}");

    private static float[] Sample(JsonElement value, LeafTask task, string where)
    {
        if (task == LeafTask.Shakespeare)
        {
            return value.ValueKind == JsonValueKind.String
                ? [.. value.GetString()!.Select(c => (float)Letter(c, where))]
                : throw new InvalidDataException($"{where}: x holds a {value.ValueKind}, expected strings");
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != FemnistSide * FemnistSide)
        {
            throw new InvalidDataException($"{where}: x holds a sample that is not a list of {FemnistSide * FemnistSide} pixel values");
        }

        return [.. value.EnumerateArray().Select(p => p.GetSingle())];
    }

    private static int Label(JsonElement value, LeafTask task, string where)
    {
        if (task == LeafTask.Shakespeare)
        {
            return value.ValueKind == JsonValueKind.String && value.GetString() is [char c]
                ? Letter(c, where)
                : throw new InvalidDataException($"{where}: y must hold single characters, found {value}");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int label) && label is >= 0 and < FemnistClasses
            ? label
            : throw new InvalidDataException($"{where}: y holds {value}, expected a class in [0, {FemnistClasses})");
    }

    private static int Letter(char c, string where)
    {
        int index = Alphabet.IndexOf(c, StringComparison.Ordinal);
        return index >= 0 ? index : throw new InvalidDataException($"{where}: character '{c}' (U+{(int)c:X4}) is not in LEAF's alphabet");
    }
}
