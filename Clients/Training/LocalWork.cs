using ByzantineSim.Attacks.Poisoning;
using ByzantineSim.Clients.Data;

namespace ByzantineSim.Clients.Training;

/// <summary>What a client computes locally in a round.</summary>
public enum LocalMode
{
    /// <summary>One minibatch gradient (D-SGD).</summary>
    Gradient,

    /// <summary>Several local SGD steps; the update is the model delta as a pseudo-gradient (FedAvg, local SGD).</summary>
    LocalSteps,
}

/// <summary>A client's local work for one round.</summary>
/// <param name="Mode">Gradient or local steps.</param>
/// <param name="Batches">Sample indices of each step (one batch for a gradient).</param>
/// <param name="LearningRate">Local step size (local steps only).</param>
/// <param name="ClipNorm">Client-side gradient clipping bound per step; 0 disables it.</param>
/// <param name="Relabel">Label noise of this client: replacement labels by sample index, or null.</param>
/// <param name="Poisoning">What a data-poisoning attack does to the client's batches, or null.</param>
public sealed record LocalWork(
    LocalMode Mode,
    ImmutableArray<ImmutableArray<int>> Batches,
    double LearningRate,
    double ClipNorm,
    ImmutableDictionary<int, int>? Relabel,
    DataPoisoning? Poisoning)
{
    /// <summary>Crop and flip applied to the training samples. <value>none</value></summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>Root of this work's augmentation draws (the client's stream for the round).</summary>
    public ulong AugmentationSeed { get; init; }

    /// <summary>How an unreliable client's samples are degraded, or null. <value>null</value></summary>
    public Degradation? Degradation { get; init; }

    /// <summary>
    /// Which batches <see cref="Degradation"/> applies to, one flag per batch (an unreliable
    /// client that degrades only a share of its batches), or default for all of them. <value>default</value>
    /// </summary>
    public ImmutableArray<bool> DegradedBatches { get; init; }

    /// <summary>How the indices of noisy copies read when the client's data is diluted, or null. <value>null</value></summary>
    public Partitioning.DilutedSamples? Dilution { get; init; }

    /// <summary>Label smoothing epsilon of the training loss (see <see cref="ClientBatch.LabelSmoothing"/>). <value>0</value></summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Batch <paramref name="step"/> with its labels, degradation and augmentation.</summary>
    public ClientBatch BatchAt(int step) => new(Batches[step], Poisoning, Relabel)
    {
        Augmentation = Augmentation,
        AugmentationSeed = Seed.Derive(AugmentationSeed, "step", step),
        Degradation = Degradation is { ChangesPixels: true } && (DegradedBatches.IsDefault || DegradedBatches[step]) ? Degradation : null,
        Dilution = Dilution,
        LabelSmoothing = LabelSmoothing,
    };
}

/// <summary>Result of evaluating a model on a data set.</summary>
/// <param name="Accuracy">Fraction of samples classified correctly (NaN for regression).</param>
/// <param name="Loss">Mean cross-entropy, or mean squared error for regression.</param>
public readonly record struct Evaluation(double Accuracy, double Loss);

/// <summary>Sums over a part of an evaluation set; parts add up, in a fixed order, to the whole.</summary>
/// <param name="LossSum">Summed per-sample loss.</param>
/// <param name="Correct">Samples classified correctly.</param>
/// <param name="Count">Samples evaluated.</param>
public readonly record struct EvaluationSums(double LossSum, long Correct, int Count)
{
    /// <summary>The sums of this part and <paramref name="other"/>.</summary>
    public EvaluationSums Add(EvaluationSums other) => new(LossSum + other.LossSum, Correct + other.Correct, Count + other.Count);

    /// <summary>Accuracy (NaN for regression) and mean loss.</summary>
    public Evaluation ToEvaluation(bool regression) =>
        Count == 0 ? new Evaluation(double.NaN, double.NaN) : new Evaluation(regression ? double.NaN : (double)Correct / Count, LossSum / Count);
}

/// <summary>One client's minibatch in a gradient computation.</summary>
/// <param name="Samples">Sample indices.</param>
/// <param name="Poisoning">What a data-poisoning attack does to the batch (labels, trigger), or null.</param>
/// <param name="Relabel">Label noise of this client: replacement labels by sample index, or null.</param>
public sealed record ClientBatch(ImmutableArray<int> Samples, DataPoisoning? Poisoning, IReadOnlyDictionary<int, int>? Relabel)
{
    /// <summary>Crop and flip applied to the samples. <value>none</value></summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>Seed of the augmentation's draws: one stream, samples in batch order.</summary>
    public ulong AugmentationSeed { get; init; }

    /// <summary>Pixel degradation of an unreliable client, applied before augmentation, or null. <value>null</value></summary>
    public Degradation? Degradation { get; init; }

    /// <summary>
    /// How indices of noisy copies read (diluted data: their image and random label), or null
    /// when every index is a stored sample. <value>null</value>
    /// </summary>
    public Partitioning.DilutedSamples? Dilution { get; init; }

    /// <summary>
    /// Label smoothing epsilon of the training loss: cross-entropy against the target
    /// (1 - epsilon) one-hot(y) + epsilon / K over the K classes (PyTorch's <c>label_smoothing</c>;
    /// Szegedy et al. 2016). 0 is plain cross-entropy; ignored for regression. <value>0</value>
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>The first (for D-SGD, the only) batch of <paramref name="work"/>, with its labels and augmentation.</summary>
    public static ClientBatch Of(LocalWork work) => work.BatchAt(0);
}
