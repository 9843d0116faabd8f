namespace ByzantineSim.Clients.Data;

/// <summary>
/// Synthetic problems generated from a known model, so that convergence can be judged against
/// the truth: linear regression y = w*.x + b* + noise, and multinomial logistic regression with
/// labels drawn from softmax(W* x + b*). Features are i.i.d. N(0, 1); the true parameters are
/// drawn from N(0, scale^2 / features) so that logits stay O(scale).
/// </summary>
public static class SyntheticRegression
{
    /// <summary>Linear regression data with Gaussian noise of standard deviation <paramref name="noise"/>.</summary>
    public static DataSplit Linear(int features, int trainSize, int testSize, double noise, ulong seed)
    {
        var truth = TrueParameters(features, 1, 1.0, seed);
        return new DataSplit(
            LinearPart(truth, features, trainSize, noise, Seed.Derive(seed, "linear-train"), "synthetic-linear/train"),
            LinearPart(truth, features, testSize, noise, Seed.Derive(seed, "linear-test"), "synthetic-linear/test"));
    }

    /// <summary>Multinomial logistic data; <paramref name="scale"/> sets how separable the classes are.</summary>
    public static DataSplit Logistic(int features, int classes, int trainSize, int testSize, double scale, ulong seed)
    {
        var truth = TrueParameters(features, classes, scale, seed);
        return new DataSplit(
            LogisticPart(truth, features, classes, trainSize, Seed.Derive(seed, "logistic-train"), "synthetic-logistic/train"),
            LogisticPart(truth, features, classes, testSize, Seed.Derive(seed, "logistic-test"), "synthetic-logistic/test"));
    }

    /// <summary>The generating parameters: <paramref name="outputs"/> rows of (weights, bias).</summary>
    public static float[] TrueParameters(int features, int outputs, double scale, ulong seed)
    {
        var random = new DeterministicRandom(Seed.Derive(seed, "truth"));
        var parameters = new float[outputs * (features + 1)];
        double std = scale / Math.Sqrt(features);
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(std * random.NextGaussian());
        }

        return parameters;
    }

    private static float[] Features(int count, int features, DeterministicRandom random)
    {
        var x = new float[count * features];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)random.NextGaussian();
        }

        return x;
    }

    private static double Score(ReadOnlySpan<float> truth, int output, ReadOnlySpan<float> x)
    {
        int width = x.Length + 1;
        var row = truth.Slice(output * width, width);
        double score = row[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            score += row[j] * x[j];
        }

        return score;
    }

    private static Dataset LinearPart(float[] truth, int features, int count, double noise, ulong seed, string name)
    {
        var random = new DeterministicRandom(seed);
        var x = Features(count, features, random);
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = (float)(Score(truth, 0, x.AsSpan(i * features, features)) + (noise * random.NextGaussian()));
        }

        return Dataset.Regression(name, [features], x, y);
    }

    private static Dataset LogisticPart(float[] truth, int features, int classes, int count, ulong seed, string name)
    {
        var random = new DeterministicRandom(seed);
        var x = Features(count, features, random);
        var labels = new int[count];
        var scores = new double[classes];
        for (int i = 0; i < count; i++)
        {
            var sample = x.AsSpan(i * features, features);
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                scores[c] = Score(truth, c, sample);
                max = Math.Max(max, scores[c]);
            }

            double total = 0;
            for (int c = 0; c < classes; c++)
            {
                scores[c] = Math.Exp(scores[c] - max);
                total += scores[c];
            }

            double u = random.NextDouble() * total;
            int label = 0;
            while (label < classes - 1 && (u -= scores[label]) > 0)
            {
                label++;
            }

            labels[i] = label;
        }

        return new Dataset(name, ImmutableArray.Create(features), classes, x, labels);
    }
}
