using ByzantineSim.Clients.Data;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training;

/// <summary>Assembling the clients' samples (augmented, poisoned, relabelled) into one batch.</summary>
public sealed partial class ModelRunner
{
    /// <summary><see cref="MakeBatch(Dataset, IReadOnlyList{ClientBatch})"/> in host memory.</summary>
    private (Tensor Inputs, Tensor Targets) MakeHostBatch(Dataset data, IReadOnlyList<ClientBatch> clients)
    {
        if (data.FeatureCount != _featureCount)
        {
            throw new ArgumentException($"{data.Name} has {data.FeatureCount} features per sample, the model expects {_featureCount}");
        }

        // Gather the samples straight into the input tensor's memory: no managed staging array,
        // and no second copy (torch.tensor(float[]) clones its argument).
        int total = clients.Sum(c => c.Samples.Length);
        long[] shape = [total, .. _inputShape];
        var inputs = empty(shape, ScalarType.Float32);
        var features = TensorMemory.Floats(inputs);
        int row = 0;
        float[]? scratch = null;
        foreach (var client in clients)
        {
            // Augmented samples draw, in batch order, from the client's stream for this batch; a
            // backdoor's trigger is stamped after augmentation, so it stays where the attack put it.
            var random = client.Augmentation.IsNone ? null : new Core.Numerics.DeterministicRandom(client.AugmentationSeed);
            int poisoned = client.Poisoning?.Backdoor?.PoisonedCount(client.Samples.Length) ?? 0;
            for (int k = 0; k < client.Samples.Length; k++)
            {
                var destination = features.Slice(row++ * _featureCount, _featureCount);

                // A noisy copy of diluted data shows its clean sample's image.
                int image = client.Dilution is { } dilution ? dilution.ImageOf(client.Samples[k]) : client.Samples[k];
                if (client.Degradation is { } degradation)
                {
                    // An unreliable client's low-quality copy of the sample, which augmentation then sees as its data.
                    var (low, high) = data.FeatureRange;
                    data.CopyFeatures(image, destination);
                    degradation.Apply(destination, image, data.SampleShape, low, high);
                    if (random is not null)
                    {
                        var degraded = destination.ToArray();
                        client.Augmentation.Apply(degraded, destination, data.SampleShape, data.Background, random);
                    }
                }
                else if (random is null)
                {
                    data.CopyFeatures(image, destination);
                }
                else
                {
                    // Augmentation reads the sample while it writes the destination: decode it apart first.
                    scratch ??= new float[_featureCount];
                    data.CopyFeatures(image, scratch);
                    client.Augmentation.Apply(scratch, destination, data.SampleShape, data.Background, random);
                }

                if (k < poisoned)
                {
                    var (low, high) = data.FeatureRange;
                    client.Poisoning!.Backdoor!.Trigger.Stamp(destination, data.SampleShape, low, high);
                }
            }
        }

        if (data.IsRegression)
        {
            var values = empty([total, 1], ScalarType.Float32);
            var targetValues = TensorMemory.Floats(values);
            row = 0;
            foreach (var client in clients)
            {
                foreach (int sample in client.Samples)
                {
                    targetValues[row++] = data.Targets[sample];
                }
            }

            return (inputs, values);
        }

        var targets = new long[total];
        row = 0;
        foreach (var client in clients)
        {
            for (int k = 0; k < client.Samples.Length; k++)
            {
                // Label noise replaces the stored label (or a diluted copy's random one) first;
                // poisoning then maps whatever the client holds.
                int sample = client.Samples[k];
                int label = client.Relabel is not null && client.Relabel.TryGetValue(sample, out int noisy) ? noisy
                    : client.Dilution is { } dilution ? dilution.LabelOf(sample, data.Labels, dilution.FreshLabels ? Seed.Derive(client.AugmentationSeed, "label", k) : 0)
                    : data.Labels[sample];
                targets[row++] = client.Poisoning is null ? label : client.Poisoning.LabelAt(label, k, client.Samples.Length);
            }
        }

        return (inputs, tensor(targets, [total]));
    }
}
