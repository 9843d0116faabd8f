using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>Mean cross-entropy (or squared error) per client and its gradient with respect to the outputs.</summary>
internal static class OutputLoss
{
    /// <summary>
    /// Each client's mean loss over its samples into <paramref name="losses"/>, and the gradient
    /// of that mean with respect to <paramref name="outputs"/> (rows of <paramref name="width"/>)
    /// into <paramref name="delta"/>. <paramref name="targets"/> are int64 labels, or the
    /// regression targets. A <paramref name="labelSmoothing"/> epsilon above 0 takes the
    /// cross-entropy against (1 - epsilon) one-hot + epsilon / width (classification only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(Span<float> outputs, Tensor targets, bool regression, Shape shape, int width, Span<float> delta, Span<float> losses, double labelSmoothing = 0)
    {
        int samples = shape.Samples;
        float scale = 1f / samples;
        if (regression)
        {
            var values = TensorMemory.Floats(targets);
            for (int c = 0; c < shape.Clients; c++)
            {
                double total = 0;
                for (int s = 0; s < samples; s++)
                {
                    int row = (c * samples) + s;
                    float error = outputs[row] - values[row];
                    total += error * error;
                    delta[row] = 2 * error * scale;
                }

                losses[c] = (float)(total / samples);
            }

            return;
        }

        // With smoothing, the target is t = (1 - eps) one-hot(y) + eps / K: loss log sum exp(z) -
        // sum_k t_k z_k, gradient softmax(z) - t. Without it the plain expressions run, so that
        // eps = 0 keeps its bits whatever the logits.
        var labels = targets.data<long>().ToArray();
        float epsilon = (float)labelSmoothing;
        bool smooth = epsilon > 0;
        float spread = epsilon / width;
        for (int c = 0; c < shape.Clients; c++)
        {
            double total = 0;
            for (int s = 0; s < samples; s++)
            {
                int row = (c * samples) + s;
                var logits = outputs.Slice(row * width, width);
                var gradient = delta.Slice(row * width, width);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
                float sum = 0;
                for (int k = 0; k < width; k++)
                {
                    gradient[k] = MathF.Exp(logits[k] - max);
                    sum += gradient[k];
                }

                float logitSum = 0;
                for (int k = 0; smooth && k < width; k++)
                {
                    logitSum += logits[k] - max;
                }

                int label = (int)labels[row];
                total += smooth
                    ? MathF.Log(sum) - ((1 - epsilon) * (logits[label] - max)) - (spread * logitSum)
                    : MathF.Log(sum) - (logits[label] - max);
                for (int k = 0; k < width; k++)
                {
                    gradient[k] = smooth ? ((gradient[k] / sum) - spread) * scale : gradient[k] / sum * scale;
                }

                gradient[label] -= smooth ? (1 - epsilon) * scale : scale;
            }

            losses[c] = (float)(total / samples);
        }
    }

    /// <summary>
    /// Summed loss (cross-entropy, or squared error for regression) and correct predictions (the
    /// first largest output) of <paramref name="count"/> rows of <paramref name="outputs"/>, the
    /// outputs of samples <paramref name="start"/>.. of <paramref name="data"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EvaluationSums Score(ReadOnlySpan<float> outputs, Data.Dataset data, int start, int count)
    {
        int width = outputs.Length / count;
        double loss = 0;
        long correct = 0;
        for (int row = 0; row < count; row++)
        {
            var logits = outputs.Slice(row * width, width);
            if (data.IsRegression)
            {
                float error = logits[0] - data.Targets[start + row];
                loss += error * error;
                continue;
            }

            int best = 0;
            for (int k = 1; k < width; k++)
            {
                best = logits[k] > logits[best] ? k : best;
            }

            float max = logits[best];
            float sum = 0;
            for (int k = 0; k < width; k++)
            {
                sum += MathF.Exp(logits[k] - max);
            }

            int label = data.Labels[start + row];
            loss += MathF.Log(sum) - (logits[label] - max);
            correct += best == label ? 1 : 0;
        }

        return new EvaluationSums(loss, correct, count);
    }
}
