using System.Runtime.InteropServices;

namespace ByzantineSim.Clients.Data;

/// <summary>
/// An MNIST-style image data set stored as four IDX files in one folder
/// (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, each optionally with <c>.gz</c>). Pixels are scaled to [0, 1]
/// and, by default, standardised with the training set's mean and standard deviation.
/// </summary>
public static class IdxImageDataset
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs Fashion-MNIST.</summary>
    public const string DebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    private static readonly string[] Stems =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    // EMNIST names its test files "test-..." where MNIST says "t10k-...".
    private static readonly Dictionary<string, string> Alternatives = new(StringComparer.Ordinal)
    {
        ["t10k-images-idx3-ubyte"] = "test-images-idx3-ubyte",
        ["t10k-labels-idx1-ubyte"] = "test-labels-idx1-ubyte",
    };

    /// <summary>
    /// The files that are missing from <paramref name="folder"/> (empty when all four exist).
    /// <paramref name="prefix"/> precedes every name, as in EMNIST's <c>emnist-balanced-train-images-idx3-ubyte</c>.
    /// </summary>
    public static ImmutableArray<string> MissingFiles(string folder, string prefix = "") =>
        [.. Stems.Where(stem => FindFile(folder, prefix + stem) is null).Select(stem => Path.Combine(folder, prefix + stem + "[.gz]"))];

    /// <summary>
    /// Loads the train and test sets from <paramref name="folder"/>. <paramref name="transpose"/>
    /// swaps each image's rows and columns (EMNIST stores its images transposed relative to
    /// MNIST); <paramref name="labelOffset"/> is subtracted from every label (EMNIST letters
    /// number its classes from 1). <paramref name="classes"/> is the class count when the data
    /// set defines it (a label at or above it is an error), or 0 to take the largest label + 1.
    /// <paramref name="standardize"/> false keeps the pixels in [0, 1] (p / 255, as torchvision's
    /// <c>ToTensor</c> gives them to ByzFL and most PyTorch code) instead of standardising them.
    /// </summary>
    public static DataSplit Load(string folder, string name, string prefix = "", bool transpose = false, int labelOffset = 0, int classes = 0, bool standardize = true)
    {
        var missing = MissingFiles(folder, prefix);
        if (!missing.IsEmpty)
        {
            throw new FileNotFoundException($"{name}: missing IDX files: {string.Join(", ", missing)}");
        }

        var (trainPixels, trainLabels, shape) = ReadPair(folder, prefix + "train", name, transpose, labelOffset);
        var (testPixels, testLabels, testShape) = ReadPair(folder, prefix + "t10k", name, transpose, labelOffset);
        if (!shape.SequenceEqual(testShape))
        {
            throw new InvalidDataException($"{name}: train images are {string.Join("x", shape)} but test images are {string.Join("x", testShape)}");
        }

        int largest = Math.Max(trainLabels.Max(), testLabels.Max());
        if (classes > 0 && largest >= classes)
        {
            throw new InvalidDataException($"{name}: label {largest + labelOffset} found, but the data set has {classes} classes");
        }

        classes = classes > 0 ? classes : largest + 1;

        // Kept as bytes with the float of each byte value (a table): a quarter of the memory of
        // the converted floats, and the same floats when decoded.
        int plane = shape[1] * shape[2];
        if (!standardize)
        {
            // Pixels in [0, 1]: p / 255, torchvision's ToTensor.
            var unit = PixelTable.UnitRange(1);
            return new DataSplit(
                new Dataset($"{name}/train", shape, classes, new PixelTable(trainPixels, unit, plane), trainLabels),
                new Dataset($"{name}/test", shape, classes, new PixelTable(testPixels, unit, plane), testLabels));
        }

        // Standardise with the training set's statistics, so train and test see the same transform.
        var standardiser = PixelStandardiser.Fit(trainPixels, 1, plane);
        var table = standardiser.Table();
        return new DataSplit(
            new Dataset($"{name}/train", shape, classes, new PixelTable(trainPixels, table, plane), trainLabels) { Background = standardiser.Background },
            new Dataset($"{name}/test", shape, classes, new PixelTable(testPixels, table, plane), testLabels) { Background = standardiser.Background });
    }

    private static (byte[] Pixels, int[] Labels, ImmutableArray<int> Shape) ReadPair(string folder, string prefix, string name, bool transpose, int labelOffset)
    {
        var images = IdxReader.Read(FindFile(folder, $"{prefix}-images-idx3-ubyte")!);
        var labels = IdxReader.Read(FindFile(folder, $"{prefix}-labels-idx1-ubyte")!);
        if (images.Dimensions.Length != 3 || labels.Dimensions.Length != 1)
        {
            throw new InvalidDataException($"{name}: {prefix} images must have 3 dimensions and labels 1");
        }

        if (images.Dimensions[0] != labels.Dimensions[0])
        {
            throw new InvalidDataException(
                $"{name}: {images.Dimensions[0]} {prefix} images but {labels.Dimensions[0]} labels");
        }

        int rows = images.Dimensions[1], columns = images.Dimensions[2];
        // The file's own array (read only from here on): no 47 MB copy for Fashion-MNIST's training images.
        byte[] pixels = ImmutableCollectionsMarshal.AsArray(images.Data)!;
        if (transpose)
        {
            pixels = Transpose(pixels, rows, columns);
            (rows, columns) = (columns, rows);
        }

        var values = labels.Data.Select(b => b - labelOffset).ToArray();
        if (values.Any(v => v < 0))
        {
            throw new InvalidDataException($"{name}: {prefix} labels start at {labelOffset}, found {values.Min() + labelOffset}");
        }

        return (pixels, values, [1, rows, columns]);
    }

    /// <summary>Each image's transpose: pixel (r, c) of the result is pixel (c, r) of the stored image.</summary>
    private static byte[] Transpose(byte[] pixels, int rows, int columns)
    {
        int plane = rows * columns;
        var result = new byte[pixels.Length];
        for (int start = 0; start < pixels.Length; start += plane)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    result[start + (c * rows) + r] = pixels[start + (r * columns) + c];
                }
            }
        }

        return result;
    }

    private static string? FindFile(string folder, string stem)
    {
        string raw = Path.Combine(folder, stem);
        if (File.Exists(raw) || File.Exists(raw + ".gz"))
        {
            return File.Exists(raw) ? raw : raw + ".gz";
        }

        // Try the EMNIST spelling of the test files.
        foreach (var (mnist, emnist) in Alternatives)
        {
            if (stem.EndsWith(mnist, StringComparison.Ordinal))
            {
                return FindFile(folder, string.Concat(stem.AsSpan(0, stem.Length - mnist.Length), emnist));
            }
        }

        return null;
    }
}
