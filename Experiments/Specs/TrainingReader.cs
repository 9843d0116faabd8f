using ByzantineSim.Clients.Training;
using Defaults = ByzantineSim.Experiments.Specs.RunReader.Defaults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>Reads a run's <c>training</c> mapping: the optimiser, the schedule and the FedAvg settings.</summary>
internal static class TrainingReader
{
    /// <summary>
    /// Reads <c>training</c>; every key absent takes its default (the reader has any errors).
    /// <paramref name="classes"/> is the data's number of classes or outputs (1 for regression, 0
    /// when unknown before loading).
    /// </summary>
    public static TrainingSpec Read(NodeReader reader, MappingView root, int classes)
    {
        var defaults = new TrainingSpec(Defaults.Rounds, Defaults.BatchSize, Defaults.LearningRate, [], Defaults.Gamma, Defaults.WeightDecay,
            Defaults.WorkerMomentum, Defaults.MomentumForm, Defaults.ServerMomentum, Defaults.EvalEvery,
            Defaults.Algorithm, Defaults.LocalSteps, Defaults.LocalLearningRate, Defaults.ClipNorm, Defaults.Participation, Defaults.Send);
        if (root.Get("training") is not { } node || reader.Mapping(node, "training") is not { } view)
        {
            return defaults;
        }

        static string? Positive(int v) => v >= 1 ? null : "must be >= 1";
        static string? Beta(double v) => v is >= 0 and < 1 ? null : "must be in [0, 1)";
        var milestones = view.Get("lr_milestones") is { } m
            ? reader.List<int>(m, view.PathOf("lr_milestones"), v => v >= 1 ? null : "must be >= 1")
            : [];
        var spec = new TrainingSpec(
            view.Scalar("rounds", Defaults.Rounds, Positive),
            view.Scalar("batch_size", Defaults.BatchSize, Positive),
            view.Scalar("learning_rate", Defaults.LearningRate, v => v > 0 ? null : "must be > 0"),
            [.. milestones.Order()],
            view.Scalar("lr_gamma", Defaults.Gamma, v => v > 0 ? null : "must be > 0"),
            view.Scalar("weight_decay", Defaults.WeightDecay, v => v >= 0 ? null : "must be >= 0"),
            view.Scalar("worker_momentum", Defaults.WorkerMomentum, Beta),
            view.Word("momentum_form", Defaults.MomentumForm, SpecWords.MomentumForm),
            view.Scalar("server_momentum", Defaults.ServerMomentum, Beta),
            view.Scalar("eval_every", Defaults.EvalEvery, Positive),
            view.Word("algorithm", Defaults.Algorithm, SpecWords.Algorithm),
            view.Scalar("local_steps", Defaults.LocalSteps, Positive),
            view.Scalar("local_learning_rate", Defaults.LocalLearningRate, v => v > 0 ? null : "must be > 0"),
            view.Scalar("clip_norm", Defaults.ClipNorm, v => v >= 0 ? null : "must be >= 0 (0 disables clipping)"),
            view.Scalar("participation", Defaults.Participation, v => v is > 0 and <= 1 ? null : "must be in (0, 1]"),
            view.Word("send", Defaults.Send, SpecWords.Send));
        spec = spec with
        {
            Augmentation = ReadAugmentation(reader, view),
            Weighting = view.Word("weighting", Defaults.Weighting, SpecWords.Weighting),
            LabelSmoothing = view.Scalar("label_smoothing", Defaults.LabelSmoothing, v => v is >= 0 and < 1 ? null : "must be in [0, 1)"),
        };
        if (classes == 1 && spec.LabelSmoothing > 0)
        {
            reader.Error(view.Node["label_smoothing"]!, view.PathOf("label_smoothing"), "needs a classification data set: a regression target has no classes to smooth over");
        }

        if (spec.Algorithm == LocalMode.Gradient)
        {
            foreach (var (key, wrong) in new[] { ("local_steps", spec.LocalSteps != Defaults.LocalSteps), ("send", spec.Send != Defaults.Send), ("weighting", spec.Weighting != Defaults.Weighting) })
            {
                if (wrong)
                {
                    reader.Error(view.Get(key)!, view.PathOf(key), "applies to algorithm fedavg only (training.algorithm is dsgd)");
                }
            }
        }

        view.Finish();
        return spec;
    }

    /// <summary>Reads <c>training.augmentation</c>: none when absent.</summary>
    private static Augmentation ReadAugmentation(NodeReader reader, MappingView training)
    {
        if (training.Get("augmentation") is not { } node || reader.Mapping(node, training.PathOf("augmentation")) is not { } view)
        {
            return Augmentation.None;
        }

        var augmentation = new Augmentation(
            view.Scalar("crop_padding", Defaults.CropPadding, v => v >= 0 ? null : "must be >= 0 (0: no crop)"),
            view.Scalar("horizontal_flip", Defaults.HorizontalFlip));
        view.Finish();
        return augmentation;
    }
}
