using ByzantineSim.Attacks.Poisoning;

namespace ByzantineSim.Clients.Data;

/// <summary>
/// The test samples a targeted or backdoor attack's success is measured on: those whose label
/// the attack's goal changes, transformed as the attack would have them and labelled with the
/// attacker's label, so that the accuracy on this set is the attack success rate. For a backdoor,
/// every test sample whose true label is not the target, with the (global) trigger stamped; for
/// targeted label flipping, every test sample of a source class. Samples of the target class
/// are left out: classifying them as the target is no success of the attack.
/// </summary>
public static class PoisonedTestSet
{
    /// <summary>
    /// Builds the set from <paramref name="test"/>; <paramref name="range"/> is the training set's
    /// feature range, the one Byzantine clients stamp triggers with.
    /// </summary>
    public static Dataset Build(Dataset test, DataPoisoning goal, (float Low, float High) range)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(goal);
        var kept = new List<int>();
        var labels = new List<int>();
        for (int i = 0; i < test.Count; i++)
        {
            int label = test.Labels[i];
            int poisoned = goal.LabelAt(label, 0, 1);
            if (poisoned != label)
            {
                kept.Add(i);
                labels.Add(poisoned);
            }
        }

        var features = new float[kept.Count * test.FeatureCount];
        for (int k = 0; k < kept.Count; k++)
        {
            var destination = features.AsSpan(k * test.FeatureCount, test.FeatureCount);
            test.CopyFeatures(kept[k], destination);
            goal.Backdoor?.Trigger.Stamp(destination, test.SampleShape, range.Low, range.High);
        }

        return new Dataset($"{test.Name}/attack-success", test.SampleShape, test.Classes, features, [.. labels]);
    }
}
