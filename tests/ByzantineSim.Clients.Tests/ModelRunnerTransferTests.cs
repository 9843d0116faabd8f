namespace ByzantineSim.Clients.Tests;

/// <summary>The output layer's place and inputs, which transfer learning and Bristle's integrator rely on.</summary>
public class ModelRunnerTransferTests
{
    private static readonly DataSplit Data =
        SyntheticClassification.Generate(new SyntheticOptions(Classes: 4, Features: 8, TrainSize: 512, TestSize: 256, Seed: 3));

    [Fact]
    public void OutputLayer_OfAnMlp_IsItsLastCTimesWPlusOneValues()
    {
        using var runner = new ModelRunner(new MultiLayerPerceptron([16]), Data.Train.SampleShape, Data.Train.Classes);
        Assert.Equal(((8 * 16) + 16, 16, 4), runner.OutputLayer()); // after linear0's 8 x 16 weights and 16 biases
        Assert.Equal((8 * 16) + 16 + (4 * 17), runner.ParameterCount);
    }

    [Fact]
    public void OutputLayerInputs_ThroughTheOutputLayer_GiveTheModulesPredictions()
    {
        using var runner = new ModelRunner(new MultiLayerPerceptron([16]), Data.Test.SampleShape, Data.Test.Classes, stacked: false);
        var parameters = runner.InitialParameters(7);
        var samples = Enumerable.Range(0, Data.Test.Count).ToArray();
        var h = runner.OutputLayerInputs(parameters, Data.Test, samples);
        Assert.Equal(Data.Test.Count * 16, h.Length);
        Assert.All(h, v => Assert.True(v >= 0)); // after the ReLU

        // logits = W h + b over the flat vector's output slice, in double; the argmax's accuracy is the module's.
        int offset = runner.OutputLayer()!.Value.Offset, correct = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            var logits = Enumerable.Range(0, 4).Select(c =>
                parameters[offset + (4 * 16) + c] + Enumerable.Range(0, 16).Sum(k => (double)parameters[offset + (c * 16) + k] * h[(i * 16) + k])).ToArray();
            correct += Array.IndexOf(logits, logits.Max()) == Data.Test.Labels[i] ? 1 : 0;
        }

        Assert.Equal(runner.Evaluate(parameters, Data.Test).Accuracy, (double)correct / samples.Length, 12);
    }
}
