using static TorchSharp.torch;

namespace ByzantineSim.Clients.Models;

/// <summary>
/// The flat parameter vector of a module: its parameters concatenated in module order. Initial
/// values follow PyTorch's default for linear and convolution layers, U(-1/sqrt(fan_in),
/// 1/sqrt(fan_in)) for weights and their biases, drawn from the run's own stream.
/// </summary>
public static class ModelParameters
{
    /// <summary>Values per sample for an input shape.</summary>
    public static int FeatureCount(ImmutableArray<int> inputShape) => inputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Values per sample, in double (no overflow for absurd shapes).</summary>
    public static double Features(ImmutableArray<int> inputShape) => inputShape.Aggregate(1.0, (a, b) => a * b);

    /// <summary>Parameters of a linear layer: weights and biases.</summary>
    public static double Linear(double inputs, double outputs) => (inputs * outputs) + outputs;

    /// <summary>Shapes of the module's parameters, in order.</summary>
    public static ImmutableArray<ImmutableArray<long>> Shapes(nn.Module module) =>
        [.. module.parameters().Select(p => p.shape.ToImmutableArray())];

    /// <summary>Total number of parameters, d.</summary>
    public static int Count(nn.Module module) => checked((int)module.parameters().Sum(p => p.numel()));

    /// <summary>A deterministic initial parameter vector for <paramref name="module"/>.</summary>
    public static float[] Initialise(nn.Module module, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var values = new float[Count(module)];
        int offset = 0;
        long fanIn = 1;
        foreach (var shape in Shapes(module))
        {
            long size = shape.Aggregate(1L, (a, b) => a * b);

            // A weight's fan-in is the product of all but its first dimension; a bias (rank 1)
            // uses the fan-in of the weight just before it.
            if (shape.Length > 1)
            {
                fanIn = size / shape[0];
            }

            double bound = 1.0 / Math.Sqrt(fanIn);
            for (long k = 0; k < size; k++)
            {
                values[offset++] = (float)(((2 * random.NextDouble()) - 1) * bound);
            }
        }

        return values;
    }

    /// <summary>
    /// <see cref="Initialise(nn.Module, ulong)"/> with every parameter named by <paramref name="rule"/>
    /// (its dotted name and shape) drawn by the sampler it returns instead; a null sampler keeps the default.
    /// </summary>
    public static float[] Initialise(nn.Module module, ulong seed, Func<string, ImmutableArray<long>, Func<DeterministicRandom, double>?> rule)
    {
        var random = new DeterministicRandom(seed);
        var values = new float[Count(module)];
        int offset = 0;
        long fanIn = 1;
        foreach (var (name, parameter) in module.named_parameters())
        {
            var shape = parameter.shape.ToImmutableArray();
            long size = shape.Aggregate(1L, (a, b) => a * b);
            if (shape.Length > 1)
            {
                fanIn = size / shape[0];
            }

            double bound = 1.0 / Math.Sqrt(fanIn);
            var sample = rule(name, shape) ?? (r => ((2 * r.NextDouble()) - 1) * bound);
            for (long k = 0; k < size; k++)
            {
                values[offset++] = (float)sample(random);
            }
        }

        return values;
    }

    /// <summary>
    /// The default initialisation, except that batch-norm weights are 1 and their biases 0
    /// (PyTorch's <c>reset_parameters</c> of <c>BatchNorm2d</c>).
    /// </summary>
    public static float[] InitialiseWithBatchNorm(nn.Module module, ulong seed)
    {
        var norms = module.named_modules().Where(m => m.module is TorchSharp.Modules.BatchNorm2d).Select(m => m.name).ToHashSet(StringComparer.Ordinal);
        return Initialise(module, seed, (name, _) =>
        {
            int dot = name.LastIndexOf('.');
            string owner = dot < 0 ? "" : name[..dot];
            return !norms.Contains(owner) ? null
                : name.EndsWith(".weight", StringComparison.Ordinal) ? _ => 1.0
                : _ => 0.0;
        });
    }
}
