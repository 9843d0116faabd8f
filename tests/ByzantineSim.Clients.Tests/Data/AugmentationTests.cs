namespace ByzantineSim.Clients.Tests.Data;

public sealed class AugmentationTests
{
    /// <summary>A Random that returns scripted draws, so a test chooses the crop offsets and the flip.</summary>
    private sealed class ScriptedRandom(params int[] integers) : Random
    {
        private int _next;

        public double Flip { get; init; } = 0.9;

        public override int Next(int maxValue) => integers[_next++];

        public override double NextDouble() => Flip;
    }

    // One 2-channel 3x3 image: channel 0 holds 1..9 row by row, channel 1 holds 11..19.
    private static readonly float[] Image = [.. Enumerable.Range(1, 9).Select(v => (float)v), .. Enumerable.Range(11, 9).Select(v => (float)v)];

    [Fact]
    public void Apply_CropDownRightByOne_ShiftsInThePaddingValueOfEachChannel()
    {
        // Padding 1: draws 2 and 2 are the padded image's offsets, top = left = +1 after removing the padding.
        var output = new float[18];
        new Augmentation(1, false).Apply(Image, output, [2, 3, 3], [-5f, -7f], new ScriptedRandom(2, 2));
        Assert.Equal(
            [5, 6, -5, 8, 9, -5, -5, -5, -5, /* channel 1 */ 15, 16, -7, 18, 19, -7, -7, -7, -7],
            output);
    }

    [Fact]
    public void Apply_CropUpLeftThenFlip_MirrorsTheCrop()
    {
        // top = left = -1 (draws 0, 0), then flipped (0.1 < 1/2): the crop
        //   0 0 0 / 0 1 2 / 0 4 5   mirrored left to right.
        var output = new float[18];
        new Augmentation(1, true).Apply(Image, output, [2, 3, 3], [], new ScriptedRandom(0, 0) { Flip = 0.1 });
        Assert.Equal([0, 0, 0, 2, 1, 0, 5, 4, 0], output[..9]);
    }

    [Fact]
    public void Apply_FlipOnlyWithoutDraw_KeepsTheImage()
    {
        var output = new float[18];
        new Augmentation(0, true).Apply(Image, output, [2, 3, 3], [], new ScriptedRandom() { Flip = 0.5 });
        Assert.Equal(Image, output);
    }

    [Fact]
    public void Apply_FixedSeed_IsPixelExact()
    {
        // DeterministicRandom(2) draws Next(3) = 0, Next(3) = 2, NextDouble() < 1/2 (pinned from a
        // run; they fix the expectation): top -1, left +1, flipped. Output (y, x) is input
        // (y - 1, 3 - x): a black first row, then rows 0 and 1 shifted left by one and mirrored.
        var draws = new DeterministicRandom(2);
        Assert.Equal((0, 2, true), (draws.Next(3), draws.Next(3), draws.NextDouble() < 0.5));

        var output = new float[18];
        new Augmentation(1, true).Apply(Image, output, [2, 3, 3], [-1f, -2f], new DeterministicRandom(2));
        Assert.Equal([-1, -1, -1, -1, 3, 2, -1, 6, 5, /* channel 1 */ -2, -2, -2, -2, 13, 12, -2, 16, 15], output);
    }

    [Fact]
    public void Problem_SequenceSamples_SaysCropAndFlipNeedImages()
    {
        Assert.Equal("crop and flip need image samples [channels, height, width], the data's samples are [80]", new Augmentation(4, true).Problem([80]));
        Assert.Null(Augmentation.None.Problem([80]));
    }

    [Fact]
    public void ModelRunner_AugmentedWork_GradientIsTheGradientOfTheAugmentedSamples()
    {
        // Through the trainer's code path: the gradient of an augmented batch equals the gradient of
        // the same samples augmented here with the batch's stream and stored as plain data.
        int[] samples = [3, 0, 7, 5];
        var features = Enumerable.Range(0, 10 * 3 * 8 * 8).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
        var data = new Dataset("images/train", [3, 8, 8], 4, features, [.. Enumerable.Range(0, 10).Select(i => i % 4)]) { Background = [-1f, 0.5f, 2f] };
        var augmentation = new Augmentation(2, true);
        var work = new LocalWork(LocalMode.Gradient, [[.. samples]], 0.1, 0, null, null) { Augmentation = augmentation, AugmentationSeed = 99 };

        var random = new DeterministicRandom(work.BatchAt(0).AugmentationSeed);
        var augmented = new float[samples.Length * 192];
        for (int k = 0; k < samples.Length; k++)
        {
            augmentation.Apply(data.FeaturesOf(samples[k]), augmented.AsSpan(k * 192, 192), data.SampleShape, data.Background, random);
        }

        var plain = new Dataset("augmented", [3, 8, 8], 4, augmented, [.. samples.Select(s => data.Labels[s])]);
        Assert.NotEqual(data.Subset("s", samples).Features.ToArray(), augmented);

        using var runner = new ModelRunner(new MultiLayerPerceptron([16]), [3, 8, 8], 4);
        var theta = runner.InitialParameters(1);
        var expected = new float[runner.ParameterCount];
        var actual = new float[runner.ParameterCount];
        runner.ComputeGradient(theta, plain, [0, 1, 2, 3], null, expected);
        runner.Run(theta, data, work, actual);
        Assert.Equal(expected, actual);
    }
}
