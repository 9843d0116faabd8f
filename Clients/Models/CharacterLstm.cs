using TorchSharp;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Models;

/// <summary>
/// LEAF's reference model for Shakespeare (models/shakespeare/stacked_lstm.py, Caldas et al. 2018,
/// arXiv 1812.01097): each character index of the input line is embedded in 8 dimensions, two
/// stacked LSTM layers of 256 units read the line, and a linear layer maps the last step's output
/// to the next character's class. Inputs are the character indices stored as floats
/// (<see cref="Data.LeafDataset"/>). Initialised as PyTorch does: the embedding N(0, 1), every LSTM
/// weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden)), the linear layer by the default rule.
/// </summary>
/// <param name="embedding">Embedding width.</param>
/// <param name="hidden">LSTM units per layer.</param>
/// <param name="layers">Stacked LSTM layers.</param>
public sealed class CharacterLstm(int embedding, int hidden, int layers) : IModelDefinition
{
    /// <summary>Registry name.</summary>
    public const string RegistryName = "lstm_shakespeare";

    /// <summary>LEAF's configuration: embedding 8, two layers of 256.</summary>
    public static CharacterLstm Leaf { get; } = new(8, 256, 2);

    /// <summary>Embedding width.</summary>
    public int Embedding { get; } = embedding;

    /// <summary>LSTM units per layer.</summary>
    public int Hidden { get; } = hidden;

    /// <summary>Stacked LSTM layers.</summary>
    public int Layers { get; } = layers;

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public string Description => Embedding == 8 && Hidden == 256 && Layers == 2 ? Name : $"{Name}(embedding={Embedding}, hidden={Hidden}, layers={Layers})";

    /// <inheritdoc />
    public double ParameterCount(ImmutableArray<int> inputShape, int classes)
    {
        if (inputShape.Length != 1)
        {
            return double.NaN;
        }

        // The vocabulary is the class set (next-character prediction); each LSTM layer has four
        // gates with input and recurrent weights and two biases each (PyTorch's layout).
        double count = (double)classes * Embedding;
        double input = Embedding;
        for (int layer = 0; layer < Layers; layer++)
        {
            count += 4.0 * Hidden * (input + Hidden + 2);
            input = Hidden;
        }

        return count + ModelParameters.Linear(Hidden, classes);
    }

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Build(ImmutableArray<int> inputShape, int classes)
    {
        if (inputShape.Length != 1)
        {
            throw new ArgumentException($"{Name} needs samples that are sequences of character indices [length], got [{string.Join(", ", inputShape)}]");
        }

        return new Network(classes, Embedding, Hidden, Layers);
    }

    /// <inheritdoc />
    public float[] InitialParameters(nn.Module module, ulong seed)
    {
        double bound = 1.0 / Math.Sqrt(Hidden);
        return ModelParameters.Initialise(module, seed, (name, _) =>
            name.StartsWith("embedding", StringComparison.Ordinal) ? random => Gaussian(random)
            : name.StartsWith("lstm", StringComparison.Ordinal) ? random => ((2 * random.NextDouble()) - 1) * bound
            : null);
    }

    private static double Gaussian(Core.Numerics.DeterministicRandom random)
    {
        // Box-Muller on two uniform draws, so the stream advances by a fixed count per value.
        double u = 1.0 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private sealed class Network : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Embedding _embedding;
        private readonly TorchSharp.Modules.LSTM _lstm;
        private readonly nn.Module<Tensor, Tensor> _output;

        public Network(int classes, int embedding, int hidden, int layers)
            : base(RegistryName)
        {
            _embedding = nn.Embedding(classes, embedding);
            _lstm = nn.LSTM(embedding, hidden, numLayers: layers, batchFirst: true);
            _output = nn.Linear(hidden, classes);
            register_module("embedding", _embedding);
            register_module("lstm", _lstm);
            register_module("output", _output);
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var (outputs, _, _) = _lstm.call(_embedding.call(input.to_type(ScalarType.Int64)));
            return _output.call(outputs[.., -1, ..]).MoveToOuterDisposeScope();
        }
    }
}
