namespace ByzantineSim.Clients.Data;

/// <summary>
/// Training-time augmentation of image samples [channels, height, width], as torchvision's
/// <c>Compose([RandomCrop(size, padding), RandomHorizontalFlip()])</c> does it for CIFAR
/// (He et al. 2016, section 4.2: "4 pixels are padded on each side, and a 32x32 crop is
/// randomly sampled from the padded image or its horizontal flip"): the image is padded with
/// black pixels (<see cref="Dataset.Background"/>, since features are already standardised),
/// a window of the original size is taken at a uniform offset in [0, 2 padding] per axis, and
/// mirrored left to right with probability 1/2. Each sample draws top, left, then flip, in that
/// order, from the stream it is given, so a batch's augmentation is a pure function of its seed.
/// </summary>
/// <param name="CropPadding">Pixels of padding on each side before the crop; 0: no crop.</param>
/// <param name="HorizontalFlip">Mirror each image left to right with probability 1/2.</param>
public sealed record Augmentation(int CropPadding, bool HorizontalFlip)
{
    /// <summary>No augmentation: samples are used as stored.</summary>
    public static Augmentation None { get; } = new(0, false);

    /// <summary>True when nothing is changed.</summary>
    public bool IsNone => CropPadding == 0 && !HorizontalFlip;

    /// <summary>Why <paramref name="sampleShape"/> cannot be augmented, or null when it can (images only).</summary>
    public string? Problem(ImmutableArray<int> sampleShape) =>
        IsNone || sampleShape.Length == 3 ? null
        : $"crop and flip need image samples [channels, height, width], the data's samples are [{string.Join(", ", sampleShape)}]";

    /// <summary>
    /// Writes the augmented <paramref name="source"/> (one sample of <paramref name="shape"/>)
    /// into <paramref name="destination"/>, drawing from <paramref name="random"/>.
    /// </summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination, ImmutableArray<int> shape, ImmutableArray<float> background, Random random)
    {
        if (Problem(shape) is { } problem)
        {
            throw new ArgumentException(problem, nameof(shape));
        }

        int channels = shape[0], height = shape[1], width = shape[2];
        int top = CropPadding == 0 ? 0 : random.Next((2 * CropPadding) + 1) - CropPadding;
        int left = CropPadding == 0 ? 0 : random.Next((2 * CropPadding) + 1) - CropPadding;
        bool flip = HorizontalFlip && random.NextDouble() < 0.5;
        for (int c = 0; c < channels; c++)
        {
            float fill = background.IsDefaultOrEmpty ? 0f : background[c];
            var plane = source.Slice(c * height * width, height * width);
            var output = destination.Slice(c * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                int fromY = y + top;
                for (int x = 0; x < width; x++)
                {
                    // Output column x shows crop column width-1-x when flipped.
                    int fromX = (flip ? width - 1 - x : x) + left;
                    output[(y * width) + x] = (uint)fromY < (uint)height && (uint)fromX < (uint)width ? plane[(fromY * width) + fromX] : fill;
                }
            }
        }
    }
}
