using System.Collections.Immutable;
using TorchSharp;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Tests.Models;

/// <summary>
/// ResNet-20/18 and LEAF's character LSTM through the trainer's code path (<see cref="ModelRunner"/>):
/// parameter counts against the papers' figures, gradients against libtorch's autograd through a
/// separately built module and against double-precision central differences, and loss falling
/// over a few steps on generated CIFAR and Shakespeare files.
/// </summary>
public sealed class TorchModuleModelTests() : TempFolderTest("torch-models-")
{
    [Theory]
    // ResNet-20: 0.27M in He et al. 2016, Table 6; 269,722 exactly with batch-norm affine parameters
    // and option-A shortcuts, counted by hand layer by layer (464 + 14,016 + 51,072 + 203,520 + 650).
    [InlineData(ResidualNetworks.ResNet20Name, 269_722)]
    // ResNet-18 CIFAR variant: 11,173,962 (github.com/kuangliu/pytorch-cifar, 10 classes).
    [InlineData(ResidualNetworks.ResNet18Name, 11_173_962)]
    public void ParameterCount_MatchesThePublishedCountAndTheModule(string name, int expected)
    {
        var model = ModelCatalog.Registry.All.Single(d => d.Name == name).Create(Core.Plugins.OptionsBinder.Defaults(name));
        Assert.Equal(expected, model.ParameterCount([3, 32, 32], 10));
        using var runner = new ModelRunner(model, [3, 32, 32], 10);
        Assert.Equal(expected, runner.ParameterCount);
        Assert.False(runner.Stacks);
    }

    [Fact]
    public void CharacterLstm_ParameterCount_MatchesTheModule()
    {
        // 80 x 8 embedding; LSTM layers 4 x 256 x (8 + 256 + 2) and 4 x 256 x (256 + 256 + 2); linear 256 x 80 + 80.
        Assert.Equal(640 + 272_384 + 526_336 + 20_560, CharacterLstm.Leaf.ParameterCount([80], 80));
        using var runner = new ModelRunner(CharacterLstm.Leaf, [80], 80);
        Assert.Equal(819_920, runner.ParameterCount);
    }

    [Fact]
    public void ResNet20_BatchNormStartsAsIdentity()
    {
        using var module = ResidualNetworks.ResNet20.Build([3, 32, 32], 10);
        var theta = ResidualNetworks.ResNet20.InitialParameters(module, 3);
        int offset = 0;
        foreach (var (name, parameter) in module.named_parameters())
        {
            var values = theta.AsSpan(offset, (int)parameter.numel());
            if (name == "bn1.weight" || name == "layer2_0.bn2.weight")
            {
                Assert.All(values.ToArray(), v => Assert.Equal(1f, v));
            }
            else if (name == "bn1.bias")
            {
                Assert.All(values.ToArray(), v => Assert.Equal(0f, v));
            }
            else if (name == "conv1.weight")
            {
                Assert.All(values.ToArray(), v => Assert.InRange(v, -1 / Math.Sqrt(27), 1 / Math.Sqrt(27)));
            }

            offset += values.Length;
        }
    }

    public static TheoryData<string> SmallModels() => [ResidualNetworks.ResNet20Name, CharacterLstm.RegistryName];

    [Theory]
    [MemberData(nameof(SmallModels))]
    public void Gradient_MatchesAutogradThroughTheModuleAndCentralDifferences(string name)
    {
        var (model, data) = Small(name);
        int[] batch = [0, 3, 5, 6];
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var theta = runner.InitialParameters(11);
        var gradient = new float[runner.ParameterCount];
        float loss = runner.ComputeGradient(theta, data, batch, null, gradient);

        // libtorch autograd through a module built and loaded here, outside the runner.
        using var module = model.Build(data.SampleShape, data.Classes);
        var (inputs, targets) = Batch(data, batch, ScalarType.Float32);
        Load(module, theta);
        module.train();
        var reference = nn.functional.cross_entropy(module.call(inputs), targets);
        reference.backward();
        var autograd = module.parameters().SelectMany(p => p.grad!.data<float>().ToArray()).ToArray();
        Assert.Equal(reference.item<float>(), loss);
        Assert.Equal(autograd, gradient);

        // Central differences of the loss in double precision, on coordinates spread over every tensor.
        module.to(ScalarType.Float64);
        var (inputs64, targets64) = Batch(data, batch, ScalarType.Float64);
        var values = theta.Select(v => (double)v).ToArray();
        double Loss(double[] at)
        {
            Load(module, at);
            using var noGrad = no_grad();
            return nn.functional.cross_entropy(module.call(inputs64), targets64).item<double>();
        }

        int offset = 0;
        foreach (var parameter in module.parameters().ToList())
        {
            int size = (int)parameter.numel();
            foreach (int k in new[] { 0, size / 2 })
            {
                int i = offset + k;
                const double h = 1e-5;
                double saved = values[i];
                values[i] = saved + h;
                double up = Loss(values);
                values[i] = saved - h;
                double down = Loss(values);
                values[i] = saved;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= 2e-4 + (2e-3 * Math.Abs(numeric)), $"{name} coordinate {i}: autograd {gradient[i]}, central difference {numeric}");
            }

            offset += size;
        }
    }

    [Theory]
    [MemberData(nameof(SmallModels))]
    public void FewSteps_OnGeneratedFiles_LossFalls(string name)
    {
        var (model, data) = name == ResidualNetworks.ResNet20Name ? ((IModelDefinition)ResidualNetworks.ResNet20, CifarTrain()) : Small(name);
        int[] batch = [.. Enumerable.Range(0, 16)];
        using var runner = new ModelRunner(model, data.SampleShape, data.Classes);
        var theta = runner.InitialParameters(5);
        var gradient = new float[runner.ParameterCount];
        var losses = new List<float>();
        for (int step = 0; step < 6; step++)
        {
            losses.Add(runner.ComputeGradient(theta, data, batch, null, gradient));
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, name == CharacterLstm.RegistryName ? -1.0f : -0.05f, theta, theta);
        }

        Assert.True(losses[^1] < 0.8 * losses[0], $"{name} losses: {string.Join(", ", losses)}");
    }

    private (IModelDefinition Model, Dataset Data) Small(string name)
    {
        if (name == ResidualNetworks.ResNet20Name)
        {
            // ResNet-20 on the generated CIFAR files, cut to 8x8 crops so the check stays cheap.
            var train = CifarTrain();
            var small = new float[train.Count * 3 * 64];
            for (int s = 0; s < train.Count; s++)
            {
                for (int c = 0; c < 3; c++)
                {
                    for (int p = 0; p < 64; p++)
                    {
                        small[(s * 192) + (c * 64) + p] = train.FeaturesOf(s)[(c * 1024) + ((p / 8) * 32) + (p % 8)];
                    }
                }
            }

            return (ResidualNetworks.ResNet20, new Dataset("cifar-8x8", [3, 8, 8], 10, small, train.Labels.ToArray()));
        }

        string folder = Path.Combine(Folder, "shakespeare");
        PublishedFormats.WriteLeaf(folder, PublishedFormats.ShakespeareUsers(4, LeafDataset.Alphabet), 2);
        return (new CharacterLstm(8, 32, 2), LeafDataset.Load(folder, LeafTask.Shakespeare, "shakespeare").Train);
    }

    private Dataset CifarTrain()
    {
        string folder = Path.Combine(Folder, "cifar");
        GeneratedCifar.WriteCifar10(folder, perBatch: 20, test: 20);
        return CifarBinaryDataset.Load(folder, CifarVariant.Cifar10, "cifar-10").Train;
    }

    private static (Tensor Inputs, Tensor Targets) Batch(Dataset data, int[] batch, ScalarType type)
    {
        var features = batch.SelectMany(s => data.FeaturesOf(s).ToArray()).ToArray();
        var inputs = tensor(features, [batch.Length, .. data.SampleShape.Select(x => (long)x)]).to_type(type);
        return (inputs, tensor(batch.Select(s => (long)data.Labels[s]).ToArray()));
    }

    private static void Load(nn.Module module, IReadOnlyList<float> theta) => Load(module, theta.Select(v => (double)v).ToArray());

    private static void Load(nn.Module module, double[] theta)
    {
        using var noGrad = no_grad();
        int offset = 0;
        foreach (var parameter in module.parameters())
        {
            int size = (int)parameter.numel();
            parameter.copy_(tensor(theta[offset..(offset + size)], parameter.shape).to_type(parameter.dtype));
            offset += size;
        }
    }
}
