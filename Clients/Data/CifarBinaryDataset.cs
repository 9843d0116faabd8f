namespace ByzantineSim.Clients.Data;

/// <summary>Which CIFAR release a folder holds, and for CIFAR-100 which labels to learn.</summary>
public enum CifarVariant
{
    /// <summary>CIFAR-10: <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c> and <c>test_batch.bin</c>, 10 classes.</summary>
    Cifar10,

    /// <summary>CIFAR-100 with its 100 fine labels: <c>train.bin</c> and <c>test.bin</c>.</summary>
    Cifar100Fine,

    /// <summary>CIFAR-100 with its 20 coarse labels (superclasses).</summary>
    Cifar100Coarse,
}

/// <summary>
/// Reads the binary version of CIFAR-10 and CIFAR-100 as Krizhevsky ships it
/// (https://www.cs.toronto.edu/~kriz/cifar.html, "CIFAR-10 binary version" and "CIFAR-100
/// binary version"). Every record is the label byte(s) followed by 3072 pixel bytes: the 1024
/// red values of the 32x32 image row by row, then the green, then the blue; CIFAR-10 records
/// have one label byte, CIFAR-100 records two (coarse, then fine). Features are standardised
/// per channel with the training set's mean and deviation (<see cref="PixelStandardiser"/>).
/// </summary>
public static class CifarBinaryDataset
{
    /// <summary>Pixel bytes of one image: 3 channels of 32 x 32.</summary>
    public const int ImageBytes = 3 * PlaneSize;

    /// <summary>Pixels of one channel.</summary>
    public const int PlaneSize = 32 * 32;

    /// <summary>The files a folder of <paramref name="variant"/> must hold, training files first.</summary>
    public static (ImmutableArray<string> Train, ImmutableArray<string> Test) Files(CifarVariant variant) => variant == CifarVariant.Cifar10
        ? ([.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")], ["test_batch.bin"])
        : (["train.bin"], ["test.bin"]);

    /// <summary>Number of classes of <paramref name="variant"/>.</summary>
    public static int Classes(CifarVariant variant) => variant switch
    {
        CifarVariant.Cifar10 => 10,
        CifarVariant.Cifar100Fine => 100,
        _ => 20,
    };

    /// <summary>Bytes per record: one label byte (CIFAR-10) or two (CIFAR-100), then the image.</summary>
    public static int RecordBytes(CifarVariant variant) => (variant == CifarVariant.Cifar10 ? 1 : 2) + ImageBytes;

    /// <summary>The expected files that <paramref name="folder"/> lacks (full paths), empty when all are there.</summary>
    public static ImmutableArray<string> MissingFiles(string folder, CifarVariant variant)
    {
        var (train, test) = Files(variant);
        return [.. train.Concat(test).Select(f => Path.Combine(folder, f)).Where(path => !File.Exists(path))];
    }

    /// <summary>Loads the training and test sets from <paramref name="folder"/>; errors name the file.</summary>
    public static DataSplit Load(string folder, CifarVariant variant, string name)
    {
        var missing = MissingFiles(folder, variant);
        if (!missing.IsEmpty)
        {
            throw new FileNotFoundException($"{name}: missing {string.Join(", ", missing)}");
        }

        var (trainFiles, testFiles) = Files(variant);
        var (trainPixels, trainLabels) = Read(folder, trainFiles, variant);
        var (testPixels, testLabels) = Read(folder, testFiles, variant);
        var standardiser = PixelStandardiser.Fit(trainPixels, 3, PlaneSize);
        int classes = Classes(variant);
        ImmutableArray<int> shape = [3, 32, 32];
        // Kept as bytes with the standardiser's table: the same floats at a quarter of the memory.
        var table = standardiser.Table();
        return new DataSplit(
            new Dataset($"{name}/train", shape, classes, new PixelTable(trainPixels, table, PlaneSize), trainLabels) { Background = standardiser.Background },
            new Dataset($"{name}/test", shape, classes, new PixelTable(testPixels, table, PlaneSize), testLabels) { Background = standardiser.Background });
    }

    private static (byte[] Pixels, int[] Labels) Read(string folder, ImmutableArray<string> files, CifarVariant variant)
    {
        int record = RecordBytes(variant);
        int labelBytes = record - ImageBytes;
        int classes = Classes(variant);
        var contents = files.Select(f => (Path: Path.Combine(folder, f), Bytes: File.ReadAllBytes(Path.Combine(folder, f)))).ToList();
        foreach (var (path, bytes) in contents)
        {
            if (bytes.Length == 0 || bytes.Length % record != 0)
            {
                throw new InvalidDataException(
                    $"{path}: {bytes.Length} bytes is not a whole number of {record}-byte records ({labelBytes} label byte(s) + {ImageBytes} pixels); is this the {(labelBytes == 1 ? "CIFAR-10" : "CIFAR-100")} binary version?");
            }
        }

        int count = contents.Sum(c => c.Bytes.Length / record);
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new int[count];
        int sample = 0;
        foreach (var (path, bytes) in contents)
        {
            for (int offset = 0; offset < bytes.Length; offset += record, sample++)
            {
                // CIFAR-100 records hold the coarse label, then the fine one.
                int label = variant == CifarVariant.Cifar100Fine ? bytes[offset + 1] : bytes[offset];
                if (label >= classes)
                {
                    throw new InvalidDataException($"{path}: record {offset / record} has label {label}, outside [0, {classes})");
                }

                labels[sample] = label;
                bytes.AsSpan(offset + labelBytes, ImageBytes).CopyTo(pixels.AsSpan(sample * ImageBytes, ImageBytes));
            }
        }

        return (pixels, labels);
    }
}
