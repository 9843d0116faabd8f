using System.Collections.Immutable;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Tests;

/// <summary>
/// The stacked, hand-differentiated gradient path against libtorch's autograd through the module,
/// and the property that lets the trainer pool group clients freely: a client's bits do not
/// depend on who it is computed with.
/// </summary>
public class StackedNetworkTests
{
    public static TheoryData<string> Models => ["logistic", "mlp", "cnn_mnist", "cnn_cifar"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Gradients_MatchAutogradThroughTheModule(string name)
    {
        using var pair = Both(name);
        var (stacked, module, data) = pair;
        Assert.True(stacked.Stacks);
        Assert.False(module.Stacks);
        var parameters = stacked.InitialParameters(11);
        var clients = Batches(data, clients: 3, samples: 6, seed: 5);
        var (fast, fastLoss) = Compute(stacked, parameters, data, clients);
        var (reference, referenceLoss) = Compute(module, parameters, data, clients);

        float scale = reference.Max(MathF.Abs);
        Assert.True(scale > 0);
        for (int k = 0; k < reference.Length; k++)
        {
            Assert.True(MathF.Abs(fast[k] - reference[k]) <= 1e-4f * scale, $"{name}: coordinate {k}: {fast[k]} vs {reference[k]}");
        }

        for (int c = 0; c < clients.Count; c++)
        {
            Assert.Equal(referenceLoss[c], fastLoss[c], 4);
        }
    }

    [Theory]
    [InlineData("cnn_mnist")]
    [InlineData("cnn_cifar")]
    public void WithoutWideKernels_GradientsAndEvaluationMatchTheModule(string name)
    {
        // The im2col and MKL path every convolution takes on a machine without 512-bit vectors.
        using var pair = Both(name, wideKernels: false);
        var (narrow, module, data) = pair;
        var parameters = narrow.InitialParameters(11);
        AssertSameGradients(narrow, module, parameters, data, Batches(data, clients: 3, samples: 6, seed: 5));
        AssertSameEvaluation(module, narrow, parameters, data);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ClientGradient_HasTheSameBitsAloneOrStackedInAnyOrder(string name)
    {
        var (model, data) = Setup(name);
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var parameters = runner.InitialParameters(3);
        var clients = Batches(data, clients: 5, samples: 7, seed: 9);
        var (together, _) = Compute(runner, parameters, data, clients);
        int d = runner.ParameterCount;
        var reversed = clients.AsEnumerable().Reverse().ToList();
        var (backwards, _) = Compute(runner, parameters, data, reversed);
        for (int c = 0; c < clients.Count; c++)
        {
            var alone = new float[d];
            runner.ComputeGradient(parameters, data, clients[c].Samples.AsSpan(), null, alone);
            Assert.True(alone.AsSpan().SequenceEqual(together.AsSpan(c * d, d)), $"{name}: client {c} alone differs from the stack");
            Assert.True(alone.AsSpan().SequenceEqual(backwards.AsSpan((clients.Count - 1 - c) * d, d)), $"{name}: client {c} differs in reverse order");
        }

        // Rows in one array, at offsets of no particular alignment: the products write into them
        // directly (a trainer's output), with the same bits as through the pass's own buffers.
        var matrix = new float[(clients.Count * d) + clients.Count];
        var rows = Enumerable.Range(0, clients.Count).Select(c => matrix.AsMemory((c * d) + c + 1, d)).Reverse().ToList();
        var losses = new float[clients.Count];
        runner.ComputeGradients(parameters, data, reversed, rows, losses);
        for (int c = 0; c < clients.Count; c++)
        {
            Assert.True(together.AsSpan(c * d, d).SequenceEqual(matrix.AsSpan((c * d) + c + 1, d)), $"{name}: client {c} differs written in place");
        }

        Assert.Equal(0f, matrix[0]);
    }

    [Theory]
    [MemberData(nameof(Models))]
    [InlineData("padded")]
    public void RunEach_GivesEveryClientTheBitsOfItsOwnParametersAlone(string name)
    {
        // Peers: each client at its own model, two of them over one array (loaded once), one
        // with a clipping bound; every update must be what Run gives that client alone.
        var (model, data) = Setup(name);
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        int d = runner.ParameterCount;
        var sets = Enumerable.Range(0, 4).Select(k => runner.InitialParameters((ulong)(20 + k))).ToArray();
        int[] setOf = [0, 1, 2, 0, 3];
        var works = Batches(data, clients: setOf.Length, samples: 6, seed: 13)
            .Select((b, c) => new LocalWork(LocalMode.Gradient, [b.Samples], 0, c == 4 ? 0.01 : 0, null, null)).ToList();
        var updates = new float[setOf.Length * d];
        var losses = runner.RunEach(
            [.. setOf.Select(k => (ReadOnlyMemory<float>)sets[k])], data, works, [.. Enumerable.Range(0, setOf.Length).Select(c => updates.AsMemory(c * d, d))]);
        for (int c = 0; c < setOf.Length; c++)
        {
            var alone = new float[d];
            double loss = runner.Run(sets[setOf[c]], data, works[c], alone);
            Assert.True(alone.AsSpan().SequenceEqual(updates.AsSpan(c * d, d)), $"{name}: client {c} differs from its gradient alone");
            Assert.Equal((float)loss, losses[c]);
        }

        // Not all the same gradient: the parameters really differ per client.
        Assert.False(updates.AsSpan(0, d).SequenceEqual(updates.AsSpan(d, d)));
        Assert.InRange(MathF.Sqrt(updates.AsSpan(4 * d, d).ToArray().Sum(v => v * v)), 0f, 0.0101f);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn_mnist")]
    public void LabelSmoothing_MatchesAutogradWithTorchsLabelSmoothing(string name)
    {
        // PyTorch's cross_entropy(label_smoothing: eps) through the module is the reference; the
        // 50/51 of label_dilution alpha = 50's expected pull included.
        using var pair = Both(name);
        var (stacked, module, data) = pair;
        var parameters = stacked.InitialParameters(11);
        foreach (double epsilon in new[] { 0.1, 50.0 / 51 })
        {
            var clients = Batches(data, clients: 3, samples: 6, seed: 5).Select(c => c with { LabelSmoothing = epsilon }).ToList();
            AssertSameGradients(stacked, module, parameters, data, clients);
        }
    }

    [Fact]
    public void LabelSmoothing_ChangesTheGradientByEpsilonTimesTheUniformPull()
    {
        // grad(eps) = grad(0) + eps (onehot(y) - 1/K) / B at the outputs, so for logistic regression
        // (outputs = W x + b) the bias gradient moves by exactly eps (mean one-hot - 1/K).
        var (model, data) = Setup("logistic");
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var parameters = runner.InitialParameters(3);
        var plain = Batches(data, clients: 1, samples: 8, seed: 2);
        var smoothed = plain.Select(c => c with { LabelSmoothing = 0.5 }).ToList();
        var (g0, _) = Compute(runner, parameters, data, plain);
        var (g1, _) = Compute(runner, parameters, data, smoothed);
        int d = runner.ParameterCount;
        var labels = plain[0].Samples.Select(i => data.Labels[i]).ToList();
        for (int k = 0; k < 10; k++)
        {
            double expected = 0.5 * ((labels.Count(y => y == k) / 8.0) - 0.1);
            Assert.Equal(expected, g1[d - 10 + k] - g0[d - 10 + k], 5);
        }
    }

    [Fact]
    public void Regression_MatchesAutograd()
    {
        using var pair = Both(new MultiLayerPerceptron([5]), SyntheticRegression.Linear(features: 6, trainSize: 64, testSize: 16, noise: 0.1, seed: 2).Train);
        var (stacked, module, data) = pair;
        var parameters = stacked.InitialParameters(4);
        AssertSameGradients(stacked, module, parameters, data, Batches(data, clients: 2, samples: 8, seed: 1));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn_mnist")]
    [InlineData("cnn_cifar")]
    public void Evaluation_MatchesTheModule(string name)
    {
        using var pair = Both(name);
        var (stacked, module, data) = pair;
        AssertSameEvaluation(module, stacked, stacked.InitialParameters(8), data);
    }

    [Theory]
    [InlineData("cnn_mnist")]
    [InlineData("cnn_cifar")]
    public void Evaluation_DoesNotDependOnTheBatchSize(string name)
    {
        // Batches of 5, 16 and 37 put each sample in a different lane of a different group of
        // sixteen, and leave groups part-filled.
        var (model, data) = Setup(name);
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var parameters = runner.InitialParameters(3);
        var reference = runner.EvaluateRange(parameters, data, 1, 37, batchSize: 37);
        foreach (int batch in new[] { 5, 16 })
        {
            var other = runner.EvaluateRange(parameters, data, 1, 37, batchSize: batch);
            Assert.Equal(reference.Correct, other.Correct);
            Assert.Equal(reference.LossSum, other.LossSum, 4);
        }
    }

    [Fact]
    public void ParametersIdentity_SkipsOnlyTheCopyOfTheSameParameters()
    {
        var (model, data) = Setup("cnn_mnist");
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var first = runner.InitialParameters(1);
        var second = runner.InitialParameters(2);
        var work = new LocalWork(LocalMode.Gradient, [[0, 1, 2, 3]], 0, 0, null, null);
        float[] Gradient(float[] parameters, object? identity)
        {
            var gradient = new float[runner.ParameterCount];
            runner.Run(parameters, data, work, gradient, identity);
            return gradient;
        }

        var expectedFirst = Gradient(first, null);
        var expectedSecond = Gradient(second, null);
        object firstIdentity = new(), secondIdentity = new();
        Assert.Equal(expectedFirst, Gradient(first, firstIdentity));
        Assert.Equal(expectedFirst, Gradient(first, firstIdentity));
        Assert.Equal(expectedSecond, Gradient(second, secondIdentity));

        // An evaluation loads other parameters into the same model: the next gradient reloads its own.
        Assert.Equal(expectedFirst, Gradient(first, firstIdentity));
        runner.EvaluateRange(second, data, 0, 8);
        Assert.Equal(expectedFirst, Gradient(first, firstIdentity));
    }

    [Fact]
    public void NonFiniteParameters_GiveANonFiniteEvaluationLoss()
    {
        var (model, data) = Setup("cnn_mnist");
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var parameters = runner.InitialParameters(1);
        parameters[0] = float.NaN; // a conv1 weight
        Assert.True(double.IsNaN(runner.EvaluateRange(parameters, data, 0, 20).LossSum));
    }

    [Fact]
    public void NonFiniteParameters_GiveNonFiniteGradientsInsteadOfHidingThem()
    {
        var (model, data) = Setup("cnn_mnist");
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var parameters = runner.InitialParameters(1);
        parameters[0] = float.NaN; // a conv1 weight: every pooled activation of channel 0 is NaN
        var gradient = new float[runner.ParameterCount];
        float loss = runner.ComputeGradient(parameters, data, [0, 1, 2], null, gradient);
        Assert.True(float.IsNaN(loss));
        Assert.False(VectorMath.IsFinite(gradient));
    }

    [Fact]
    public void UnsupportedLayers_FallBackToTheModule()
    {
        var (_, data) = Setup("cnn_mnist");
        using var runner = new ModelRunner(new PaddedConvolution(), data.SampleShape, data.Classes);
        Assert.False(runner.Stacks);
        var gradient = new float[runner.ParameterCount];
        runner.ComputeGradient(runner.InitialParameters(1), data, [0, 1], null, gradient);
        Assert.Contains(gradient, g => g != 0);
    }

    /// <summary>The stacked runner (wide kernels or not) and the module runner of one model, on its data.</summary>
    private sealed record Runners(ModelRunner Stacked, ModelRunner Module, Dataset Data) : IDisposable
    {
        public void Dispose()
        {
            Stacked.Dispose();
            Module.Dispose();
        }
    }

    private static Runners Both(string name, bool wideKernels = true)
    {
        var (model, data) = Setup(name);
        return Both(model, data, wideKernels);
    }

    private static Runners Both(IModelDefinition model, Dataset data, bool wideKernels = true) => new(
        new ModelRunner(model, data.SampleShape, data.Classes, stacked: true, wideKernels: wideKernels),
        new ModelRunner(model, data.SampleShape, data.Classes, stacked: false),
        data);

    /// <summary>Samples 3-42 in batches of 16: the same correct count, the loss sum to 3 places.</summary>
    private static void AssertSameEvaluation(ModelRunner expected, ModelRunner actual, float[] parameters, Dataset data)
    {
        var reference = expected.EvaluateRange(parameters, data, 3, 40, batchSize: 16);
        var evaluation = actual.EvaluateRange(parameters, data, 3, 40, batchSize: 16);
        Assert.Equal(reference.Correct, evaluation.Correct);
        Assert.Equal(reference.LossSum, evaluation.LossSum, 3);
    }

    private static (IModelDefinition Model, Dataset Data) Setup(string name) => name switch
    {
        "logistic" => (new LogisticRegression(), Images(1, 12, 40)),
        "mlp" => (new MultiLayerPerceptron([16, 8]), Images(1, 12, 60)),
        "cnn_mnist" => (ConvolutionalNetworks.Mnist, Images(1, 28, 44)),
        "cnn_cifar" => (ConvolutionalNetworks.Cifar, Images(3, 32, 60)),
        "padded" => (new PaddedConvolution(), Images(1, 28, 44)),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Random images in [0, 1) with random labels out of 10.</summary>
    private static Dataset Images(int channels, int side, int count)
    {
        var random = new DeterministicRandom(42);
        var features = new float[count * channels * side * side];
        for (int k = 0; k < features.Length; k++)
        {
            features[k] = (float)random.NextDouble();
        }

        var labels = Enumerable.Range(0, count).Select(_ => random.Next(10)).ToArray();
        return new Dataset("images", [channels, side, side], 10, features, labels);
    }

    private static List<ClientBatch> Batches(Dataset data, int clients, int samples, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        return [.. Enumerable.Range(0, clients).Select(_ => new ClientBatch([.. Enumerable.Range(0, samples).Select(_ => random.Next(data.Count))], null, null))];
    }

    /// <summary>Gradients within 1e-4 of the largest reference coordinate, first loss to 4 decimals.</summary>
    private static void AssertSameGradients(ModelRunner tested, ModelRunner reference, float[] parameters, Dataset data, List<ClientBatch> clients)
    {
        var (actual, actualLoss) = Compute(tested, parameters, data, clients);
        var (expected, expectedLoss) = Compute(reference, parameters, data, clients);
        float scale = expected.Max(MathF.Abs);
        Assert.All(Enumerable.Range(0, actual.Length), k => Assert.True(MathF.Abs(actual[k] - expected[k]) <= 1e-4f * scale));
        Assert.Equal(expectedLoss[0], actualLoss[0], 4);
    }

    private static (float[] Gradients, float[] Losses) Compute(ModelRunner runner, float[] parameters, Dataset data, List<ClientBatch> clients)
    {
        var gradients = new float[clients.Count * runner.ParameterCount];
        var losses = new float[clients.Count];
        runner.ComputeGradients(parameters, data, clients, gradients, losses);
        return (gradients, losses);
    }

    /// <summary>A convolution with padding, which the stacked form does not handle.</summary>
    private sealed class PaddedConvolution : IModelDefinition
    {
        public string Name => "padded";

        public string Description => Name;

        public nn.Module<Tensor, Tensor> Build(ImmutableArray<int> inputShape, int classes) =>
            nn.Sequential(("conv", nn.Conv2d(1, 2, 3, padding: 1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(2 * inputShape[1] * inputShape[2], classes)));

        public double ParameterCount(ImmutableArray<int> inputShape, int classes) =>
            (2 * 9) + 2 + ((2.0 * inputShape[1] * inputShape[2] * classes) + classes);
    }
}
