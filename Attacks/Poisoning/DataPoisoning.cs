namespace ByzantineSim.Attacks.Poisoning;

/// <summary>
/// What a Byzantine client does to its own training data before it trains honestly on it:
/// relabel every sample through <see cref="Labels"/> (label flipping), and/or stamp a trigger on
/// a share of each batch and label those samples with the backdoor's target (<see cref="Backdoor"/>).
/// Applied to the batch a client trains on, never to the shared data set.
/// </summary>
/// <param name="Labels">Label map applied to every sample, or null.</param>
/// <param name="Backdoor">Trigger stamped on a share of each batch, or null.</param>
public sealed record DataPoisoning(LabelMap? Labels, Backdoor? Backdoor)
{
    /// <summary>Label flipping only.</summary>
    public static DataPoisoning Relabel(LabelMap labels) => new(labels, null);

    /// <summary>
    /// The label a sample of true label <paramref name="label"/> trains with at position
    /// <paramref name="row"/> of a batch of <paramref name="batchSize"/> samples.
    /// </summary>
    public int LabelAt(int label, int row, int batchSize) =>
        Backdoor is { } backdoor && row < backdoor.PoisonedCount(batchSize) ? backdoor.Target
        : Labels is null ? label : Labels.Map[label];
}

/// <summary>
/// A backdoor: the first <c>round(Fraction * batch)</c> samples of every batch (the batch is
/// already a seeded random draw, so these are random samples) get <see cref="Trigger"/> and the
/// label <see cref="Target"/>; the rest train clean (BadNets, Gu, Dolan-Gavitt, Garg 2017,
/// arXiv 1708.06733; DBA's <c>poisoning_per_batch</c>, Xie et al., ICLR 2020).
/// </summary>
/// <param name="Trigger">The pattern.</param>
/// <param name="Fraction">Share of each batch that is poisoned, in (0, 1].</param>
/// <param name="Target">The label the trigger should produce.</param>
public sealed record Backdoor(Trigger Trigger, double Fraction, int Target)
{
    /// <summary>Poisoned samples in a batch of <paramref name="batchSize"/>.</summary>
    public int PoisonedCount(int batchSize) => (int)Math.Round(Fraction * batchSize, MidpointRounding.AwayFromZero);
}

/// <summary>A rectangle of pixels, stamped on every channel.</summary>
/// <param name="Row">Top row.</param>
/// <param name="Column">Left column.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public sealed record TriggerPatch(int Row, int Column, int Height, int Width);

/// <summary>
/// A trigger for images of shape [channels, height, width] (features channel-major, as the data
/// sets store them). Either pixel patches set to <see cref="Value"/> (BadNets, DBA), or, when
/// <see cref="Alpha"/> &gt; 0, a blended pattern x' = (1 - alpha) x + alpha p with p a fixed
/// uniform noise image over the data's feature range (Chen, Liu, Li, Lu, Song 2017,
/// arXiv 1712.05526, "blended injection").
/// </summary>
/// <param name="Patches">Pixel patches (empty for a blended pattern).</param>
/// <param name="Value">Value the patches' pixels take; null: the data's largest feature value (white after standardisation).</param>
/// <param name="Alpha">Blend weight of the noise pattern in (0, 1]; 0 for patches.</param>
public sealed record Trigger(ImmutableArray<TriggerPatch> Patches, double? Value, double Alpha)
{
    /// <summary>The seed of the blended pattern: fixed, so training and test stamp the same image.</summary>
    public const ulong PatternSeed = 0x5EED_B1E4D;

    /// <summary>A trigger made of part of this one's patches (DBA's local triggers).</summary>
    public Trigger WithPatches(ImmutableArray<TriggerPatch> patches) => this with { Patches = patches };

    /// <summary>
    /// The first problem with stamping this trigger on samples of <paramref name="shape"/>, or
    /// null. Samples must be images ([channels, height, width]) and every patch inside them.
    /// </summary>
    public string? Problem(ImmutableArray<int> shape)
    {
        if (shape.Length != 3)
        {
            return $"a trigger needs image data (samples of shape [channels, height, width]); the data's samples have shape [{string.Join(", ", shape)}]";
        }

        foreach (var patch in Patches)
        {
            if (patch.Row < 0 || patch.Column < 0 || patch.Row + patch.Height > shape[1] || patch.Column + patch.Width > shape[2])
            {
                return $"the trigger's patch at row {patch.Row}, column {patch.Column} of {patch.Height}x{patch.Width} pixels does not fit in {shape[1]}x{shape[2]} images";
            }
        }

        return null;
    }

    /// <summary>
    /// Stamps the trigger on one sample of <paramref name="shape"/> in place.
    /// <paramref name="low"/> and <paramref name="high"/> are the data's smallest and largest
    /// feature values (the blended pattern's range, and the patches' value when none is given).
    /// </summary>
    public void Stamp(Span<float> sample, ImmutableArray<int> shape, float low, float high)
    {
        int channels = shape[0], height = shape[1], width = shape[2];
        if (Alpha > 0)
        {
            var random = new Core.Numerics.DeterministicRandom(PatternSeed);
            float alpha = (float)Alpha;
            for (int i = 0; i < sample.Length; i++)
            {
                float pattern = low + ((high - low) * random.NextSingle());
                sample[i] = ((1 - alpha) * sample[i]) + (alpha * pattern);
            }

            return;
        }

        float value = Value is { } given ? (float)given : high;
        foreach (var patch in Patches)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int r = patch.Row; r < patch.Row + patch.Height; r++)
                {
                    sample.Slice((c * height * width) + (r * width) + patch.Column, patch.Width).Fill(value);
                }
            }
        }
    }
}
