using System.Globalization;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// The head of the small synthetic sweeps the CLI tests run (4 classes, 8 features, an MLP,
/// batch 16), written once: each test states only the sizes it picks and what follows the head.
/// </summary>
internal static class TinySpec
{
    /// <summary>
    /// <c>sweep: name</c> and a <c>base:</c> section with the data, model, clients and training
    /// lines, each ending in a newline, so the caller appends more base lines or the grid.
    /// </summary>
    public static string Head(
        string sweep, int train, int test, int n, int f, int rounds, int evalEvery,
        int hidden = 8, double? learningRate = 0.2, double? workerMomentum = null)
    {
        var training = new List<string> { $"rounds: {rounds}", "batch_size: 16" };
        if (learningRate is { } rate)
        {
            training.Add($"learning_rate: {rate.ToString(CultureInfo.InvariantCulture)}");
        }

        if (workerMomentum is { } momentum)
        {
            training.Add($"worker_momentum: {momentum.ToString(CultureInfo.InvariantCulture)}");
        }

        training.Add($"eval_every: {evalEvery}");
        return $$"""
            sweep: {{sweep}}
            base:
              data: { name: synthetic, classes: 4, features: 8, train_size: {{train}}, test_size: {{test}} }
              model: { name: mlp, hidden: [{{hidden}}] }
              clients: { n: {{n}}, f: {{f}} }
              training: { {{string.Join(", ", training)}} }

            """;
    }
}
