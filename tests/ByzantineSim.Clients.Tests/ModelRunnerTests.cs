using System.Collections.Immutable;
using System.Numerics.Tensors;

namespace ByzantineSim.Clients.Tests;

/// <summary>TorchSharp loads on this machine and trains: forward, backward, gradients out.</summary>
public class ModelRunnerTests
{
    private static DataSplit SmallData() =>
        SyntheticClassification.Generate(new SyntheticOptions(Classes: 4, Features: 8, TrainSize: 512, TestSize: 256, Seed: 3));

    [Fact]
    public void Mlp_FewSgdStepsWithBackward_LossFalls()
    {
        var data = SmallData();
        using var runner = new ModelRunner(new MultiLayerPerceptron([16]), data.Train.SampleShape, data.Train.Classes);
        var parameters = runner.InitialParameters(1);
        var gradient = new float[runner.ParameterCount];
        var batch = Enumerable.Range(0, 128).ToArray();
        double first = runner.ComputeGradient(parameters, data.Train, batch, null, gradient);
        double last = first;
        for (int step = 0; step < 30; step++)
        {
            TensorPrimitives.MultiplyAdd(gradient, -0.5f, parameters, parameters);
            last = runner.ComputeGradient(parameters, data.Train, batch, null, gradient);
        }

        Assert.True(last < 0.7 * first, $"loss went from {first} to {last}");
    }

    [Fact]
    public void LogisticRegression_Gradient_MatchesFiniteDifferences()
    {
        var data = SmallData();
        using var runner = new ModelRunner(new LogisticRegression(), data.Train.SampleShape, data.Train.Classes);
        var parameters = runner.InitialParameters(5);
        var gradient = new float[runner.ParameterCount];
        int[] batch = [0, 1, 2, 3, 4, 5, 6, 7];
        runner.ComputeGradient(parameters, data.Train, batch, null, gradient);
        foreach (int index in new[] { 0, 7, 20, runner.ParameterCount - 1 })
        {
            const float h = 1e-2f;
            var plus = parameters.ToArray();
            var minus = parameters.ToArray();
            plus[index] += h;
            minus[index] -= h;
            var scratch = new float[runner.ParameterCount];
            double numeric = (runner.ComputeGradient(plus, data.Train, batch, null, scratch) - runner.ComputeGradient(minus, data.Train, batch, null, scratch)) / (2 * h);
            Assert.Equal(numeric, gradient[index], 2);
        }
    }

    [Fact]
    public void ComputeGradient_IsAPureFunctionOfParametersAndBatch()
    {
        var data = SmallData();
        using var a = new ModelRunner(new MultiLayerPerceptron([16]), data.Train.SampleShape, data.Train.Classes);
        using var b = new ModelRunner(new MultiLayerPerceptron([16]), data.Train.SampleShape, data.Train.Classes);
        var parameters = a.InitialParameters(9);
        Assert.Equal(parameters, b.InitialParameters(9));
        var ga = new float[a.ParameterCount];
        var gb = new float[b.ParameterCount];
        int[] batch = [3, 1, 4, 1, 5, 9, 2, 6];
        a.ComputeGradient(parameters, data.Train, batch, null, ga);
        b.ComputeGradient(parameters, data.Train, [.. batch.Reverse().Reverse()], null, gb);
        a.ComputeGradient(a.InitialParameters(10), data.Train, [0, 1], null, new float[a.ParameterCount]);
        a.ComputeGradient(parameters, data.Train, batch, null, ga);
        Assert.Equal(ga, gb);
    }

    [Fact]
    public void Evaluate_InitialModel_IsNearChanceAndLossNearLogClasses()
    {
        var data = SmallData();
        using var runner = new ModelRunner(new LogisticRegression(), data.Test.SampleShape, data.Test.Classes);
        var result = runner.Evaluate(runner.InitialParameters(1), data.Test, batchSize: 100);
        // Chance is 1/4 on these balanced classes; 256 test samples put an untrained model's
        // accuracy within 4 binomial standard deviations, sqrt(0.25 * 0.75 / 256) = 0.027, of it.
        // Its loss is log 4 = 1.386 for uniform outputs, a little more for random initial logits.
        double chance = 1.0 / data.Test.Classes;
        double deviation = Math.Sqrt(chance * (1 - chance) / data.Test.Count);
        Assert.InRange(result.Accuracy, chance - (4 * deviation), chance + (4 * deviation));
        Assert.InRange(result.Loss, Math.Log(data.Test.Classes) - 0.05, Math.Log(data.Test.Classes) + 1);
    }

    [Fact]
    public void EvaluateRange_PartsAddUpToTheWholeSet()
    {
        var data = SmallData();
        using var runner = new ModelRunner(new MultiLayerPerceptron([16]), data.Test.SampleShape, data.Test.Classes);
        var parameters = runner.InitialParameters(4);
        var whole = runner.EvaluateRange(parameters, data.Test, 0, data.Test.Count, batchSize: 7);
        int half = data.Test.Count / 2;
        var parts = runner.EvaluateRange(parameters, data.Test, 0, half, batchSize: 7)
            .Add(runner.EvaluateRange(parameters, data.Test, half, data.Test.Count - half, batchSize: 7));
        Assert.Equal(data.Test.Count, parts.Count);
        Assert.Equal(whole.Correct, parts.Correct);
        Assert.Equal(whole.LossSum, parts.LossSum, 1e-5 * whole.LossSum); // batch losses are float sums
        Assert.Equal(runner.Evaluate(parameters, data.Test, batchSize: 7), whole.ToEvaluation(regression: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.EvaluateRange(parameters, data.Test, half, data.Test.Count, batchSize: 7));
    }

    [Fact]
    public void ModelParameters_Initialise_UsesPyTorchBounds()
    {
        var data = SmallData();
        using var runner = new ModelRunner(new LogisticRegression(), data.Train.SampleShape, data.Train.Classes);
        var parameters = runner.InitialParameters(2);
        float bound = 1f / MathF.Sqrt(8);
        Assert.All(parameters, p => Assert.InRange(p, -bound, bound));
        Assert.Equal((8 * 4) + 4, parameters.Length);
    }

    [Fact]
    public void WorkerMomentum_AverageAndSumForms()
    {
        float[] buffer = [1f, 2f];
        WorkerMomentum.Apply(buffer, [10f, 20f], 0.9, MomentumForm.Average);
        Assert.Equal([1.9f, 3.8f], buffer, new TestKit.FloatComparer(1e-5f));
        float[] sum = [1f, 2f];
        WorkerMomentum.Apply(sum, [10f, 20f], 0.9, MomentumForm.Sum);
        Assert.Equal([10.9f, 21.8f], sum, new TestKit.FloatComparer(1e-5f));
    }

    [Fact]
    public void Device_Cuda_IsAClearErrorWithoutTheCudaBuild()
    {
        string? problem = TorchRuntime.CheckDevice("cuda");
        Assert.NotNull(problem);
        Assert.Contains("cuda", problem, StringComparison.Ordinal);
        Assert.Null(TorchRuntime.CheckDevice("cpu"));
    }

    [Fact]
    public void Dataset_LabelOutOfRange_Throws() =>
        Assert.Throws<ArgumentException>(() => new Dataset("x", ImmutableArray.Create(2), 2, new float[4], [0, 2]));
}

public class ModelArchitectureTests
{
    [Fact]
    public void CnnMnist_On28x28_Has431080Parameters_LikeByzFL()
    {
        using var runner = new ModelRunner(ConvolutionalNetworks.Mnist, [1, 28, 28], 10);
        Assert.Equal(431_080, runner.ParameterCount);
    }

    [Fact]
    public void CnnCifar_OnColourImages_TrainsAStep()
    {
        var random = new Core.Numerics.DeterministicRandom(1);
        var features = new float[8 * 3 * 32 * 32];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = (float)random.NextGaussian();
        }

        var data = new Dataset("noise", [3, 32, 32], 10, features, [0, 1, 2, 3, 4, 5, 6, 7]);
        using var runner = new ModelRunner(ConvolutionalNetworks.Cifar, data.SampleShape, 10);
        var gradient = new float[runner.ParameterCount];
        double loss = runner.ComputeGradient(runner.InitialParameters(1), data, [0, 1, 2, 3, 4, 5, 6, 7], null, gradient);
        Assert.True(double.IsFinite(loss));
        Assert.True(Core.Numerics.VectorMath.Norm(gradient) > 0);
    }

    [Fact]
    public void LocalSteps_UpdateIsTheModelDelta()
    {
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 3, Features: 5, TrainSize: 100, TestSize: 10));
        using var runner = new ModelRunner(new LogisticRegression(), data.Train.SampleShape, 3);
        var theta = runner.InitialParameters(2);
        var batches = ImmutableArray.Create<ImmutableArray<int>>([0, 1, 2, 3], [4, 5, 6, 7]);
        var update = new float[runner.ParameterCount];
        runner.Run(theta, data.Train, new LocalWork(LocalMode.LocalSteps, batches, 0.5, 0, null, null), update);

        // The same two SGD steps by hand.
        var local = theta.ToArray();
        var gradient = new float[runner.ParameterCount];
        foreach (var batch in batches)
        {
            runner.ComputeGradient(local, data.Train, batch.AsSpan(), null, gradient);
            TensorPrimitives.MultiplyAdd(gradient, -0.5f, local, local);
        }

        var expected = new float[local.Length];
        TensorPrimitives.Subtract(theta, local, expected);
        Assert.Equal(expected, update);
    }

    [Fact]
    public void Gradient_ClipNorm_BoundsTheUpdate()
    {
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 3, Features: 5, TrainSize: 100, TestSize: 10));
        using var runner = new ModelRunner(new LogisticRegression(), data.Train.SampleShape, 3);
        var update = new float[runner.ParameterCount];
        runner.Run(runner.InitialParameters(2), data.Train, new LocalWork(LocalMode.Gradient, [[0, 1, 2, 3]], 0, 0.01, null, null), update);
        Assert.Equal(0.01, Core.Numerics.VectorMath.Norm(update), 4);
    }

    [Fact]
    public void LinearRegression_Trains_MseFallsAndAccuracyIsNaN()
    {
        var data = SyntheticRegression.Linear(5, 400, 100, 0.1, 1);
        using var runner = new ModelRunner(new LogisticRegression(), data.Train.SampleShape, 1);
        var theta = runner.InitialParameters(1);
        double before = runner.Evaluate(theta, data.Test).Loss;
        var gradient = new float[runner.ParameterCount];
        for (int step = 0; step < 200; step++)
        {
            runner.ComputeGradient(theta, data.Train, [.. Enumerable.Range((step * 32) % 368, 32)], null, gradient);
            TensorPrimitives.MultiplyAdd(gradient, -0.1f, theta, theta);
        }

        var after = runner.Evaluate(theta, data.Test);
        Assert.True(double.IsNaN(after.Accuracy));
        Assert.True(after.Loss < 0.05 && after.Loss < before / 10, $"MSE {before} -> {after.Loss}");
    }
}
