using ByzantineSim.Clients.Data;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training;

/// <summary>Transfer learning: where the output layer sits in the flat vector, and the inputs it sees.</summary>
public sealed partial class ModelRunner
{
    /// <summary>
    /// The output layer's place in the flat parameter vector, when the model is a sequence of
    /// layers ending in a linear one (its C x w weights, then its C biases, last in the vector);
    /// null otherwise.
    /// </summary>
    public (int Offset, int Width, int Classes)? OutputLayer()
    {
        if (_module is not TorchSharp.Modules.Sequential sequential || sequential.children().LastOrDefault() is not TorchSharp.Modules.Linear
            || _parameters.Length < 2 || _parameters[^2].shape.Length != 2 || _parameters[^1].shape.Length != 1)
        {
            return null;
        }

        int classes = checked((int)_parameters[^2].shape[0]), width = checked((int)_parameters[^2].shape[1]);
        return (ParameterCount - (classes * (width + 1)), width, classes);
    }

    /// <summary>
    /// The inputs of the output layer (s x w, row-major) for <paramref name="samples"/> of
    /// <paramref name="data"/> at <paramref name="parameters"/>: every layer but the last, in evaluation mode.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model does not end in a linear layer (see <see cref="OutputLayer"/>).</exception>
    public float[] OutputLayerInputs(ReadOnlySpan<float> parameters, Dataset data, ReadOnlySpan<int> samples)
    {
        CheckLength(parameters, nameof(parameters));
        if (OutputLayer() is null)
        {
            throw new InvalidOperationException($"{_model.Description} does not end in a linear output layer");
        }

        TorchRuntime.EnsureInitialised();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        LoadParameters(parameters);
        _module.eval();
        var (inputs, _) = MakeBatch(data, samples);
        var x = inputs;
        var layers = ((TorchSharp.Modules.Sequential)_module).children().ToList();
        foreach (var layer in layers.Take(layers.Count - 1))
        {
            x = ((nn.Module<Tensor, Tensor>)layer).forward(x);
        }

        _module.train();
        return TensorMemory.Floats(x.cpu().contiguous()).ToArray();
    }
}
