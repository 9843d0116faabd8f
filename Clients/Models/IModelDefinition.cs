using TorchSharp;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Models;

/// <summary>
/// A model architecture: builds a TorchSharp module for a given input shape and class count.
/// Parameters are initialised by <see cref="ModelParameters.Initialise(nn.Module, ulong)"/> from the run's seed,
/// never by TorchSharp's global generator.
/// </summary>
public interface IModelDefinition
{
    /// <summary>The name this model is registered under, which a spec's YAML uses to select it.</summary>
    string Name { get; }

    /// <summary>Canonical description including every option, e.g. <c>mlp(hidden=[128, 64])</c>.</summary>
    string Description { get; }

    /// <summary>Builds a fresh module (its initial weights are overwritten before use).</summary>
    nn.Module<Tensor, Tensor> Build(ImmutableArray<int> inputShape, int classes);

    /// <summary>
    /// The number of parameters d that <see cref="Build"/> would give, computed without building
    /// anything (validation of a 1e10-parameter spec must not allocate it); in double, so that no
    /// size overflows; NaN when the input shape does not suit the model.
    /// </summary>
    double ParameterCount(ImmutableArray<int> inputShape, int classes);

    /// <summary>
    /// A deterministic initial parameter vector for <paramref name="module"/> (one this definition
    /// built); by default PyTorch's rule for linear and convolution layers (<see cref="ModelParameters.Initialise(nn.Module, ulong)"/>).
    /// </summary>
    float[] InitialParameters(nn.Module module, ulong seed) => ModelParameters.Initialise(module, seed);

    /// <summary>Where the model's batch-normalisation statistics come from, or null when it has no batch normalisation.</summary>
    BatchNormMode? BatchNorm => null;
}

/// <summary>The built-in models.</summary>
public static class ModelCatalog
{
    /// <summary>The <c>batch_norm</c> option of the models with batch normalisation.</summary>
    private static readonly Parameter<string> BatchNormParameter = new(
        BatchNormModes.OptionName,
        BatchNormModes.Word(BatchNormMode.Batch),
        "batch-norm statistics: batch (of the batch at hand, no running statistics), local (FedBN: each client keeps its running statistics), aggregated (the server averages the clients' running statistics and evaluates with them)",
        Choices: BatchNormModes.Words);

    private static readonly Parameter<ImmutableArray<int>> HiddenParameter = new(
        "hidden",
        [128],
        "widths of the hidden layers (ReLU between layers)",
        widths => widths.IsDefaultOrEmpty || widths.Any(w => w < 1) ? "must be a non-empty list of positive widths" : null);

    /// <summary>Every built-in model.</summary>
    public static PluginRegistry<PluginDescriptor<IModelDefinition>> Registry { get; } = new("model",
    [
        new PluginDescriptor<IModelDefinition>("logistic", "multinomial logistic regression (one linear layer)", [], _ => new LogisticRegression()),
        new PluginDescriptor<IModelDefinition>(
            "mlp",
            "fully connected network with ReLU activations",
            [HiddenParameter],
            binder => new MultiLayerPerceptron(binder.Get(HiddenParameter))),
        new PluginDescriptor<IModelDefinition>(
            ConvolutionalNetworks.MnistName,
            "ByzFL's LeNet-style CNN: conv 20 5x5, max-pool 2, conv 50 5x5, max-pool 2, fc 500, fc classes (431,080 parameters on 28x28)",
            [],
            _ => ConvolutionalNetworks.Mnist),
        new PluginDescriptor<IModelDefinition>(
            ConvolutionalNetworks.CifarName,
            "small CNN for 3-channel images: conv 32 5x5, pool, conv 64 5x5, pool, fc 512, fc classes (McMahan et al. 2017)",
            [],
            _ => ConvolutionalNetworks.Cifar),
        new PluginDescriptor<IModelDefinition>(
            ResidualNetworks.ResNet20Name,
            "ResNet-20 for CIFAR (He et al. 2016): 3 stages of 3 basic blocks, 16/32/64 filters, identity shortcuts; batch norm (batch_norm)",
            [BatchNormParameter],
            binder => ResidualNetworks.ResNet20.WithBatchNorm(BatchNormModes.Parse(binder.Get(BatchNormParameter)))),
        new PluginDescriptor<IModelDefinition>(
            ResidualNetworks.ResNet18Name,
            "ResNet-18, CIFAR variant (3x3 stem, no max-pool; 4 stages of 2 basic blocks, 64..512 filters); batch norm (batch_norm)",
            [BatchNormParameter],
            binder => ResidualNetworks.ResNet18.WithBatchNorm(BatchNormModes.Parse(binder.Get(BatchNormParameter)))),
        new PluginDescriptor<IModelDefinition>(
            CharacterLstm.RegistryName,
            "LEAF's Shakespeare model: embedding 8, two LSTM layers of 256, a linear layer on the last step's output",
            [],
            _ => CharacterLstm.Leaf),
    ]);

    /// <summary>
    /// Binds a model's raw options; <c>batch_norm</c> on a model without batch normalisation is
    /// an error that says which models have it (rather than a bare unknown option).
    /// </summary>
    public static (IModelDefinition Model, ImmutableArray<PluginError> Errors) Bind(
        PluginDescriptor<IModelDefinition> descriptor, IReadOnlyDictionary<string, string> raw)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.ContainsKey(BatchNormModes.OptionName) && !descriptor.Parameters.Any(p => p.Name == BatchNormModes.OptionName))
        {
            var rest = raw.Where(pair => pair.Key != BatchNormModes.OptionName).ToDictionary(StringComparer.Ordinal);
            var (model, errors) = OptionsBinder.Bind(descriptor.Name, rest, descriptor.Create);
            string withNorm = string.Join(", ", Registry.All.Where(d => d.Parameters.Any(p => p.Name == BatchNormModes.OptionName)).Select(d => d.Name));
            return (model, errors.Add(new PluginError(BatchNormModes.OptionName, $"{descriptor.Name} has no batch normalisation; {BatchNormModes.OptionName} applies to {withNorm}")));
        }

        return OptionsBinder.Bind(descriptor.Name, raw, descriptor.Create);
    }
}

/// <summary>Multinomial logistic regression: flatten, then one linear layer.</summary>
public sealed class LogisticRegression : IModelDefinition
{
    /// <inheritdoc />
    public string Name => "logistic";

    /// <inheritdoc />
    public string Description => Name;

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Build(ImmutableArray<int> inputShape, int classes) =>
        nn.Sequential(("flatten", nn.Flatten()), ("linear", nn.Linear(ModelParameters.FeatureCount(inputShape), classes)));

    /// <inheritdoc />
    public double ParameterCount(ImmutableArray<int> inputShape, int classes) => ModelParameters.Linear(ModelParameters.Features(inputShape), classes);
}

/// <summary>A multi-layer perceptron: flatten, then Linear + ReLU per hidden width, then a linear output.</summary>
/// <param name="hidden">Hidden layer widths.</param>
public sealed class MultiLayerPerceptron(ImmutableArray<int> hidden) : IModelDefinition
{
    /// <inheritdoc />
    public string Name => "mlp";

    /// <inheritdoc />
    public string Description => $"mlp(hidden=[{string.Join(", ", Hidden)}])";

    /// <summary>Hidden layer widths.</summary>
    public ImmutableArray<int> Hidden { get; } = hidden;

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Build(ImmutableArray<int> inputShape, int classes)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        long width = ModelParameters.FeatureCount(inputShape);
        for (int i = 0; i < Hidden.Length; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(width, Hidden[i])));
            layers.Add(($"relu{i}", nn.ReLU()));
            width = Hidden[i];
        }

        layers.Add(("output", nn.Linear(width, classes)));
        return nn.Sequential(layers);
    }

    /// <inheritdoc />
    public double ParameterCount(ImmutableArray<int> inputShape, int classes)
    {
        double count = 0, width = ModelParameters.Features(inputShape);
        foreach (int next in Hidden)
        {
            count += ModelParameters.Linear(width, next);
            width = next;
        }

        return count + ModelParameters.Linear(width, classes);
    }
}
