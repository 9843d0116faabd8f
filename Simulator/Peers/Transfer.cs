using ByzantineSim.Aggregators.Gossip;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Partitioning;
using ByzantineSim.Clients.Training;

namespace ByzantineSim.Simulator.Peers;

/// <summary>
/// Transfer learning for a peer-to-peer run (Bristle, arXiv 2110.11006): before the run, the whole
/// model is trained with plain SGD on a public split of the training set, <see cref="Samples"/>
/// samples drawn by a seeded permutation and removed before partitioning (no peer holds them);
/// then every layer but the output layer is frozen. Peers train and exchange the output layer only.
/// </summary>
/// <param name="Samples">Public samples.</param>
/// <param name="Epochs">Passes over them.</param>
/// <param name="LearningRate">SGD step of the pretraining.</param>
/// <param name="BatchSize">Minibatch of the pretraining.</param>
/// <param name="Seed">Seed of the draw and of the minibatch order.</param>
public sealed record TransferSettings(int Samples, int Epochs, double LearningRate, int BatchSize, ulong Seed)
{
    /// <summary>Draws the public samples and removes them from the training set.</summary>
    /// <exception cref="ArgumentException">The training set has no more samples than <see cref="Samples"/>.</exception>
    public (DataSplit Data, Dataset Public) Split(DataSplit data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Samples >= data.Train.Count)
        {
            throw new ArgumentException($"topology.transfer.samples {Samples} must be below the {data.Train.Count} samples of {data.Train.Name}");
        }

        var order = Enumerable.Range(0, data.Train.Count).ToArray();
        new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "transfer-split")).FisherYates(order.AsSpan());
        var held = order[..Samples];
        var rest = order[Samples..];
        Array.Sort(held);
        Array.Sort(rest);
        return (data with { Train = data.Train.Subset(data.Train.Name, rest) }, data.Train.Subset(data.Train.Name + "/public", held));
    }

    /// <summary>Trains <paramref name="parameters"/> in place on <paramref name="publicData"/>: <see cref="Epochs"/> seeded passes of minibatch SGD.</summary>
    public void Pretrain(ModelRunner runner, Dataset publicData, float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(publicData);
        ArgumentNullException.ThrowIfNull(parameters);
        var gradient = new float[parameters.Length];
        var order = Enumerable.Range(0, publicData.Count).ToArray();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "transfer-batches", epoch)).FisherYates(order.AsSpan());
            for (int start = 0; start + BatchSize <= order.Length; start += BatchSize)
            {
                runner.ComputeGradient(parameters, publicData, order.AsSpan(start, BatchSize), null, gradient);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, (float)-LearningRate, parameters, parameters);
            }
        }
    }
}

/// <summary>
/// A run's frozen model, as the peers use it: where the trained and exchanged output layer sits
/// in the flat vector, and each honest peer's own evaluation samples seen through the frozen
/// layers (for Bristle's integrator; empty for other mixing rules).
/// </summary>
public sealed class TransferredModel
{
    /// <summary>Creates the description.</summary>
    public TransferredModel(int offset, int width, int classes, ImmutableArray<BristleEvaluationSet> evaluation)
    {
        Offset = offset;
        Width = width;
        Classes = classes;
        Evaluation = evaluation.IsDefault ? [] : evaluation;
    }

    /// <summary>First index of the output layer in the flat vector.</summary>
    public int Offset { get; }

    /// <summary>w, the output layer's input width.</summary>
    public int Width { get; }

    /// <summary>C, the classes.</summary>
    public int Classes { get; }

    /// <summary>Length of the output layer, C (w + 1).</summary>
    public int Length => Classes * (Width + 1);

    /// <summary>Each honest peer's evaluation samples (Bristle only), by peer id.</summary>
    public ImmutableArray<BristleEvaluationSet> Evaluation { get; }

    /// <summary>
    /// Pretrains <paramref name="parameters"/> on <paramref name="publicData"/> and, when
    /// <paramref name="samples"/> &gt; 0, builds each honest peer's evaluation set: up to that
    /// many of its own training samples (a seeded draw from its partition) through the frozen layers.
    /// </summary>
    /// <exception cref="ArgumentException">The model does not end in a linear output layer.</exception>
    public static TransferredModel Build(
        TransferSettings settings, ModelRunner runner, Dataset publicData, float[] parameters, Dataset train, Partition partition, int honest, int samples, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(partition);
        var (offset, width, classes) = runner.OutputLayer() ?? throw new ArgumentException("topology.transfer needs a model that ends in a linear output layer (e.g. mlp)");
        settings.Pretrain(runner, publicData, parameters);
        var sets = ImmutableArray.CreateBuilder<BristleEvaluationSet>();
        for (int peer = 0; samples > 0 && peer < honest; peer++)
        {
            var own = partition.Clients[peer].ToArray();
            new DeterministicRandom(Core.Numerics.Seed.Derive(seed, "bristle-evaluation", peer)).FisherYates(own.AsSpan());
            var chosen = own[..Math.Min(samples, own.Length)];
            Array.Sort(chosen);
            var labels = chosen.Select(i => train.Labels[i]).ToArray();
            sets.Add(new BristleEvaluationSet(runner.OutputLayerInputs(parameters, train, chosen), labels, width, classes));
        }

        return new TransferredModel(offset, width, classes, sets.ToImmutable());
    }
}
