namespace ByzantineSim.Aggregators.Gossip;

/// <summary>
/// A peer's own evaluation samples for Bristle's integrator, seen through the frozen layers: the
/// inputs h of the output layer (s x w, row-major), their labels, and the number of classes C.
/// The familiar classes are those among the labels; the others are foreign.
/// </summary>
public sealed class BristleEvaluationSet
{
    private readonly float[] _features;
    private readonly int[] _labels;

    /// <summary>Copies the samples; every label must lie in [0, <paramref name="classes"/>).</summary>
    public BristleEvaluationSet(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int width, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (features.Length != (long)labels.Length * width)
        {
            throw new ArgumentException($"{labels.Length} samples of width {width} need {(long)labels.Length * width} features, got {features.Length}", nameof(features));
        }

        foreach (int label in labels)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(label);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, classes);
        }

        _features = features.ToArray();
        _labels = labels.ToArray();
        Width = width;
        Classes = classes;
        Familiar = [.. labels.ToArray().Distinct().Order()];
    }

    /// <summary>w, the width of the output layer's input.</summary>
    public int Width { get; }

    /// <summary>C, the output layer's classes.</summary>
    public int Classes { get; }

    /// <summary>Samples s.</summary>
    public int Count => _labels.Length;

    /// <summary>The familiar classes (present among the labels), increasing.</summary>
    public IReadOnlyList<int> Familiar { get; }

    /// <summary>Length of an output layer: C w weights (class c's row at c w) then C biases.</summary>
    public int LayerLength => Classes * (Width + 1);

    /// <summary>Sample <paramref name="index"/>'s features.</summary>
    public ReadOnlySpan<float> Features(int index) => _features.AsSpan(index * Width, Width);

    /// <summary>Sample <paramref name="index"/>'s label.</summary>
    public int Label(int index) => _labels[index];
}

/// <summary>
/// Bristle's performance-based integrator (arXiv 2110.11006; the reference's final form,
/// jverbraeken/trustchain-superapp fedml/.../ai/gar/Bristle.kt at commit a505112b): each selected
/// output layer is scored per familiar class c by the F1 score it reaches on the peer's own
/// samples against the peer's own model, F1_p(c) and F1_me(c): with D = 10 |F1_me - F1_p|, the
/// score is D^(3 + F1_me) when the peer is better and -D^(4 + F1_me) otherwise; the certainty of
/// a peer is max(0, mean - std) of its F1 over the familiar classes; s(x) = max(0, 10 sigmoid(x /
/// 100) - 4). Class c's row and bias become (own + sum_p w_pc peer_p) / (1 + sum_p w_pc) with
/// w_pc = s(max(-100, score_pc)) certainty_p; a foreign class's with the peer weight
/// W_p = s(sum_c score_pc) certainty_p. A layer with a non-finite value gets weight 0 (logits of
/// finite floats are finite in double), so the result is a convex combination of finite layers.
/// </summary>
public static class BristleIntegrator
{
    /// <summary>The per-class F1 of <paramref name="layer"/> on <paramref name="set"/> for its familiar classes (0 when no true positive).</summary>
    public static double[] F1PerClass(ReadOnlySpan<float> layer, BristleEvaluationSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        int classes = set.Classes, width = set.Width;
        var truePositives = new int[classes];
        var predicted = new int[classes];
        var actual = new int[classes];
        var logits = new double[classes];
        for (int i = 0; i < set.Count; i++)
        {
            var h = set.Features(i);
            int best = 0;
            for (int c = 0; c < classes; c++)
            {
                double sum = layer[(classes * width) + c];
                var row = layer.Slice(c * width, width);
                for (int k = 0; k < width; k++)
                {
                    sum += (double)row[k] * h[k];
                }

                logits[c] = sum;
                if (sum > logits[best])
                {
                    best = c; // the first of equal maxima, as argmax
                }
            }

            int label = set.Label(i);
            predicted[best]++;
            actual[label]++;
            if (best == label)
            {
                truePositives[label]++;
            }
        }

        return [.. set.Familiar.Select(c => truePositives[c] == 0 ? 0.0 : 2.0 * truePositives[c] / (predicted[c] + actual[c]))];
    }

    /// <summary>The score of a class on which the peer reaches <paramref name="peer"/> and the own model <paramref name="mine"/>.</summary>
    public static double Score(double mine, double peer)
    {
        double difference = 10 * Math.Abs(mine - peer);
        return peer > mine ? Math.Pow(difference, 3 + mine) : -Math.Pow(difference, 4 + mine);
    }

    /// <summary>s(x) = max(0, 10 / (1 + e^(-x / 100)) - 4): 1 at x = 0, 6 at most, 0 below x = -40.5.</summary>
    public static double Weight(double score) => Math.Max(0.0, (10.0 / (1.0 + Math.Exp(-score / 100))) - 4);

    /// <summary>max(0, mean - std) of <paramref name="f1"/> (population standard deviation); 0 when empty.</summary>
    public static double Certainty(ReadOnlySpan<double> f1)
    {
        if (f1.IsEmpty)
        {
            return 0;
        }

        double mean = 0;
        foreach (double v in f1)
        {
            mean += v;
        }

        mean /= f1.Length;
        double variance = 0;
        foreach (double v in f1)
        {
            variance += (v - mean) * (v - mean);
        }

        return Math.Max(0.0, mean - Math.Sqrt(variance / f1.Length));
    }

    /// <summary>
    /// Integrates the <paramref name="selected"/> output layers into the peer's own
    /// <paramref name="own"/>, writing the result into <paramref name="destination"/>.
    /// </summary>
    public static void Integrate(ReadOnlySpan<float> own, RowMatrix selected, BristleEvaluationSet set, Span<float> destination) =>
        Integrate(own, selected, set, destination, default);

    /// <summary>
    /// Integrates as above, scoring each selected layer p only on the <paramref name="shared"/>[p]
    /// familiar classes on which it reaches the highest F1 (the reference's countPerPeer: the number
    /// of classes the peer shares with the sender, from a private set intersection): the scores,
    /// the certainty and the foreign weight use those classes only, and the other familiar classes
    /// get no weight from p; 0 shared classes give p no weight at all. An empty
    /// <paramref name="shared"/>, or a count of at least the familiar classes, scores every familiar class.
    /// </summary>
    /// <param name="own">The peer's own output layer.</param>
    /// <param name="selected">The prioritizer's selected layers, one per row.</param>
    /// <param name="set">The peer's own evaluation samples.</param>
    /// <param name="destination">Where the integrated layer goes.</param>
    /// <param name="shared">Per selected layer, the familiar classes it is scored on (empty: all).</param>
    /// <param name="weights">When given, receives one record per selected layer, in row order: the weights it got.</param>
    public static void Integrate(
        ReadOnlySpan<float> own, RowMatrix selected, BristleEvaluationSet set, Span<float> destination, ReadOnlySpan<int> shared, ICollection<BristleSenderWeight>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        int length = set.LayerLength, classes = set.Classes, width = set.Width;
        if (own.Length != length || selected.Columns != length || destination.Length != length)
        {
            throw new AggregationException($"bristle's integrator needs output layers of {length} values (C = {classes}, w = {width})");
        }

        if (!shared.IsEmpty && shared.Length != selected.Rows)
        {
            throw new AggregationException($"bristle's integrator needs one shared-class count per selected layer: {selected.Rows} layers, {shared.Length} counts");
        }

        var mine = F1PerClass(own, set);
        double mineMean = MeanOrNaN(mine);
        var sums = new double[length];
        var classWeights = new double[classes];
        Array.Fill(classWeights, 1.0);
        for (int k = 0; k < length; k++)
        {
            sums[k] = own[k];
        }

        var familiar = set.Familiar;
        var isFamiliar = new bool[classes];
        foreach (int c in familiar)
        {
            isFamiliar[c] = true;
        }

        for (int p = 0; p < selected.Rows; p++)
        {
            var layer = selected[p];
            if (!IsFinite(layer))
            {
                weights?.Add(new BristleSenderWeight(p, mineMean, double.NaN, 0, 0, 0));
                continue;
            }

            var theirs = F1PerClass(layer, set);
            var scored = ScoredClasses(theirs, shared.IsEmpty ? familiar.Count : shared[p]);
            if (scored.Length == 0)
            {
                weights?.Add(new BristleSenderWeight(p, mineMean, MeanOrNaN(theirs), 0, 0, 0));
                continue; // shares no class with this peer: the reference exchanges nothing with it
            }

            double certainty = Certainty([.. scored.Select(i => theirs[i])]);
            double total = 0;
            var perClass = new double[classes];
            foreach (int i in scored)
            {
                double score = Score(mine[i], theirs[i]);
                total += score;
                perClass[familiar[i]] = Weight(Math.Max(-100, score)) * certainty;
            }

            double foreign = Weight(total) * certainty;
            weights?.Add(new BristleSenderWeight(p, mineMean, MeanOrNaN(theirs), certainty, familiar.Average(c => perClass[c]), foreign));
            for (int c = 0; c < classes; c++)
            {
                double w = isFamiliar[c] ? perClass[c] : foreign;
                if (w == 0)
                {
                    continue;
                }

                classWeights[c] += w;
                for (int k = 0; k < width; k++)
                {
                    sums[(c * width) + k] += w * layer[(c * width) + k];
                }

                sums[(classes * width) + c] += w * layer[(classes * width) + c];
            }
        }

        for (int c = 0; c < classes; c++)
        {
            for (int k = 0; k < width; k++)
            {
                destination[(c * width) + k] = (float)(sums[(c * width) + k] / classWeights[c]);
            }

            destination[(classes * width) + c] = (float)(sums[(classes * width) + c] / classWeights[c]);
        }
    }

    /// <summary>
    /// Indices (into the familiar classes) of the <paramref name="count"/> classes with the highest
    /// F1 in <paramref name="f1"/>, ties to the lower index, in index order; all of them when
    /// <paramref name="count"/> is at least their number.
    /// </summary>
    public static int[] ScoredClasses(IReadOnlyList<double> f1, int count)
    {
        ArgumentNullException.ThrowIfNull(f1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var all = Enumerable.Range(0, f1.Count);
        return count >= f1.Count ? [.. all] : [.. all.OrderByDescending(i => f1[i]).ThenBy(i => i).Take(count).Order()];
    }

    private static double MeanOrNaN(double[] values) => values.Length == 0 ? double.NaN : values.Average();

    private static bool IsFinite(ReadOnlySpan<float> layer)
    {
        foreach (float v in layer)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>What Bristle's integrator made of one selected layer (a diagnostic; it changes nothing).</summary>
/// <param name="Row">The layer's row among the selected ones.</param>
/// <param name="OwnF1">The own model's F1 on its own samples, averaged over the familiar classes.</param>
/// <param name="SenderF1">The layer's F1 on the same samples and classes (NaN for a non-finite layer).</param>
/// <param name="Certainty">max(0, mean - std) of the layer's F1 over the classes it was scored on.</param>
/// <param name="FamiliarWeight">The mean over the familiar classes of the layer's weight w_pc (the own layer has 1).</param>
/// <param name="ForeignWeight">The layer's weight W_p on every foreign class (the own layer has 1).</param>
public sealed record BristleSenderWeight(int Row, double OwnF1, double SenderF1, double Certainty, double FamiliarWeight, double ForeignWeight);
