using System.Collections.Immutable;
using ByzantineSim.Attacks;
using ByzantineSim.Attacks.Poisoning;

namespace ByzantineSim.Clients.Tests;

public class PoisoningTests
{
    private static readonly ImmutableArray<int> Shape = [1, 4, 4];

    /// <summary>Twelve 4 x 4 images with values k / 100 + pixel / 1000 and labels k mod 3.</summary>
    private static Dataset Images()
    {
        var features = new float[12 * 16];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = ((i / 16) / 100f) + ((i % 16) / 1000f);
        }

        return new Dataset("tiny-images", Shape, 3, features, [.. Enumerable.Range(0, 12).Select(k => k % 3)]);
    }

    private static readonly Trigger Corner = new([new TriggerPatch(2, 2, 2, 2)], 1.5, 0);

    [Fact]
    public void Gradient_BackdooredBatch_EqualsTheGradientOnHandStampedImages()
    {
        // Fraction 0.5 of a batch of 4: the first two samples are stamped and labelled 2.
        var data = Images();
        var poisoning = new DataPoisoning(null, new Backdoor(Corner, 0.5, 2));
        int[] batch = [5, 0, 7, 10];
        var features = new float[4 * 16];
        for (int k = 0; k < 4; k++)
        {
            data.FeaturesOf(batch[k]).CopyTo(features.AsSpan(k * 16, 16));
            if (k < 2)
            {
                foreach (int pixel in new[] { 10, 11, 14, 15 })
                {
                    features[(k * 16) + pixel] = 1.5f;
                }
            }
        }

        var stamped = new Dataset("stamped", Shape, 3, features, [2, 2, data.Labels[7], data.Labels[10]]);
        using var runner = new ModelRunner(new MultiLayerPerceptron([5]), Shape, 3);
        var parameters = runner.InitialParameters(3);
        var expected = new float[runner.ParameterCount];
        var actual = new float[runner.ParameterCount];
        runner.ComputeGradient(parameters, stamped, [0, 1, 2, 3], null, expected);
        runner.ComputeGradient(parameters, data, batch, poisoning, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void PoisonedTestSet_Backdoor_StampsEveryNonTargetSampleAndLabelsItTarget()
    {
        var data = Images();
        var set = PoisonedTestSet.Build(data, new DataPoisoning(null, new Backdoor(Corner, 1, 1)), (-1f, 2f));
        Assert.Equal(8, set.Count); // four of the twelve are already of class 1
        Assert.All(Enumerable.Range(0, set.Count), k => Assert.Equal(1, set.Labels[k]));
        Assert.Equal(1.5f, set.FeaturesOf(0)[15]);
        Assert.Equal(data.FeaturesOf(0)[0], set.FeaturesOf(0)[0]);
        Assert.Equal(data.FeaturesOf(2)[3], set.FeaturesOf(1)[3]); // samples 0, 2, 3, 5, ... are kept
    }

    [Fact]
    public void PoisonedTestSet_TargetedFlip_KeepsOnlyTheSourceClass()
    {
        var data = Images();
        var set = PoisonedTestSet.Build(data, DataPoisoning.Relabel(LabelMap.Targeted(3, [(0, 2)])), data.FeatureRange);
        Assert.Equal(4, set.Count);
        Assert.Equal(data.FeaturesOf(3).ToArray(), set.FeaturesOf(1).ToArray());
        Assert.All(Enumerable.Range(0, 4), k => Assert.Equal(2, set.Labels[k]));
    }
}
