using ByzantineSim.Clients.Models;

namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// Identifies a model a trainer can run: architecture, input shape and classes. Trainers keep
/// one TorchSharp module per distinct <see cref="Key"/>, so runs of the same model share them.
/// </summary>
/// <param name="Definition">How to build the module.</param>
/// <param name="InputShape">Shape of one sample.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Key">Canonical description used for equality and caching.</param>
public sealed record ModelKey(IModelDefinition Definition, ImmutableArray<int> InputShape, int Classes, string Key)
{
    /// <summary>
    /// Most D-SGD gradients worth computing in one pass (<c>ModelRunner.ClientsPerPass</c>): the
    /// trainer pool groups no more than this, so that a model computed one client at a time is
    /// handed out one gradient at a time and the trainers finish a round together.
    /// </summary>
    public int ClientsPerPass { get; init; } = int.MaxValue;

    /// <summary>Where the trainer's module lives. <value>Cpu</value></summary>
    public Clients.Training.ComputeDevice Device { get; init; } = Clients.Training.ComputeDevice.Cpu;

    /// <summary>Creates a key whose text is derived from the model's description and the data shape.</summary>
    public static ModelKey For(IModelDefinition definition, string description, ImmutableArray<int> inputShape, int classes) =>
        new(definition, inputShape, classes, $"{description}|{string.Join("x", inputShape)}|{classes}");

    /// <summary>The key of the same model on <paramref name="device"/>: a CUDA module is a different module.</summary>
    public ModelKey On(Clients.Training.ComputeDevice device) =>
        device == Clients.Training.ComputeDevice.Cpu ? this : this with { Device = device, Key = $"{Key}|{device}" };

    /// <inheritdoc />
    public bool Equals(ModelKey? other) => other is not null && other.Key == Key;

    /// <inheritdoc />
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
}
