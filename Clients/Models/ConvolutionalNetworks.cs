using static TorchSharp.torch;

namespace ByzantineSim.Clients.Models;

/// <summary>
/// Convolutional models for image data of shape [channels, height, width]: ByzFL's
/// <c>cnn_mnist</c> (LeNet-style) and a small CIFAR-style network. Both use valid (unpadded)
/// 5x5 convolutions, ReLU and 2x2 max-pooling, so the flattened size follows from the input.
/// </summary>
public sealed class ConvolutionalNetworks : IModelDefinition
{
    /// <summary>Registry name of the MNIST CNN.</summary>
    public const string MnistName = "cnn_mnist";

    /// <summary>Registry name of the CIFAR-style CNN.</summary>
    public const string CifarName = "cnn_cifar";

    private readonly int _first;
    private readonly int _second;
    private readonly int _hidden;

    private ConvolutionalNetworks(string name, int first, int second, int hidden)
    {
        Name = name;
        _first = first;
        _second = second;
        _hidden = hidden;
    }

    /// <summary>ByzFL's cnn_mnist: convolutions of 20 and 50 channels, then a 500-unit hidden layer.</summary>
    public static ConvolutionalNetworks Mnist { get; } = new(MnistName, 20, 50, 500);

    /// <summary>The CIFAR-10 network: convolutions of 32 and 64 channels, then a 512-unit hidden layer.</summary>
    public static ConvolutionalNetworks Cifar { get; } = new(CifarName, 32, 64, 512);

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description => Name;

    /// <inheritdoc />
    public double ParameterCount(ImmutableArray<int> inputShape, int classes)
    {
        if (inputShape.Length != 3)
        {
            return double.NaN;
        }

        // Two 5x5 convolutions, each followed by a 2x2 pooling, as in Build.
        double height = (((inputShape[1] - 4) / 2) - 4) / 2, width = (((inputShape[2] - 4) / 2) - 4) / 2;
        return ModelParameters.Linear(inputShape[0] * 25.0, _first) + ModelParameters.Linear(_first * 25.0, _second)
            + ModelParameters.Linear(_second * height * width, _hidden) + ModelParameters.Linear(_hidden, classes);
    }

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Build(ImmutableArray<int> inputShape, int classes)
    {
        if (inputShape.Length != 3)
        {
            throw new ArgumentException($"{Name} needs image samples [channels, height, width], got [{string.Join(", ", inputShape)}]");
        }

        int channels = inputShape[0];
        int height = (((inputShape[1] - 4) / 2) - 4) / 2;
        int width = (((inputShape[2] - 4) / 2) - 4) / 2;
        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"{Name} needs images of at least 12x12, got {inputShape[1]}x{inputShape[2]}");
        }

        return nn.Sequential(
            ("conv1", nn.Conv2d(channels, _first, 5)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(_first, _second, 5)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(_second * height * width, _hidden)),
            ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(_hidden, classes)));
    }
}
