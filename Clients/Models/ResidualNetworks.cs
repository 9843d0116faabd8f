using TorchSharp;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Models;

/// <summary>
/// Residual networks for 32x32 colour images, as the Byzantine-robust learning papers train on
/// CIFAR. <see cref="ResNet20"/>: He, Zhang, Ren, Sun, "Deep Residual Learning for Image
/// Recognition", CVPR 2016 (arXiv 1512.03385), section 4.2: a 3x3 convolution of 16 filters,
/// three stages of n = 3 basic blocks (two 3x3 convolutions) with 16, 32 and 64 filters on maps of
/// 32, 16 and 8 pixels (the first convolution of stages 2 and 3 has stride 2), global average
/// pooling and a fully connected layer: 6n + 2 = 20 layers; shortcuts are identities, and where the
/// shape changes the input is subsampled and zero-padded in its channels ("option A", no
/// parameters). <see cref="ResNet18"/>: the CIFAR variant of the 18-layer network of the same
/// paper as github.com/kuangliu/pytorch-cifar defines it (a 3x3 stem of 64 filters and no
/// max-pooling, stages of 2 basic blocks with 64, 128, 256, 512 filters, 1x1 convolution and
/// batch-norm shortcuts where the shape changes). Batch normalisation follows every convolution;
/// <see cref="BatchNorm"/> says where its statistics come from.
/// </summary>
public sealed class ResidualNetworks : IModelDefinition
{
    /// <summary>Registry name of ResNet-20.</summary>
    public const string ResNet20Name = "resnet20";

    /// <summary>Registry name of ResNet-18.</summary>
    public const string ResNet18Name = "resnet18";

    private readonly ImmutableArray<int> _widths;
    private readonly int _blocks;
    private readonly bool _projectionShortcuts;

    private ResidualNetworks(string name, ImmutableArray<int> widths, int blocks, bool projectionShortcuts, BatchNormMode batchNorm = BatchNormMode.Batch)
    {
        Name = name;
        _widths = widths;
        _blocks = blocks;
        _projectionShortcuts = projectionShortcuts;
        BatchNorm = batchNorm;
    }

    /// <summary>ResNet-20 for CIFAR (He et al. 2016, section 4.2), 0.27M parameters on 10 classes.</summary>
    public static ResidualNetworks ResNet20 { get; } = new(ResNet20Name, [16, 32, 64], 3, projectionShortcuts: false);

    /// <summary>ResNet-18, CIFAR variant (kuangliu/pytorch-cifar), 11.2M parameters on 10 classes.</summary>
    public static ResidualNetworks ResNet18 { get; } = new(ResNet18Name, [64, 128, 256, 512], 2, projectionShortcuts: true);

    /// <summary>
    /// Where batch normalisation's statistics come from. <see cref="BatchNormMode.Batch"/> (the
    /// default): the statistics of the batch it normalises, in training and in evaluation (PyTorch's
    /// <c>track_running_stats=False</c>), so nothing outside the parameter vector the server
    /// aggregates shapes the model; the other modes keep running statistics (see <see cref="BatchNormMode"/>).
    /// </summary>
    public BatchNormMode? BatchNorm { get; }

    /// <summary>The same network with its batch normalisation in <paramref name="mode"/>.</summary>
    public ResidualNetworks WithBatchNorm(BatchNormMode mode) => new(Name, _widths, _blocks, _projectionShortcuts, mode);

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description => BatchNorm == BatchNormMode.Batch ? Name : $"{Name}({BatchNormModes.OptionName}={BatchNormModes.Word(BatchNorm!.Value)})";

    /// <inheritdoc />
    public double ParameterCount(ImmutableArray<int> inputShape, int classes)
    {
        if (inputShape.Length != 3)
        {
            return double.NaN;
        }

        // Convolutions have no bias (batch norm follows); each batch norm has a weight and a bias per channel.
        static double Convolution(double inputs, double outputs, int kernel) => inputs * outputs * kernel * kernel;
        double count = Convolution(inputShape[0], _widths[0], 3) + (2.0 * _widths[0]);
        int channels = _widths[0];
        foreach (int width in _widths)
        {
            for (int block = 0; block < _blocks; block++)
            {
                count += Convolution(channels, width, 3) + Convolution(width, width, 3) + (4.0 * width);
                if (_projectionShortcuts && channels != width)
                {
                    count += Convolution(channels, width, 1) + (2.0 * width);
                }

                channels = width;
            }
        }

        return count + ModelParameters.Linear(channels, classes);
    }

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Build(ImmutableArray<int> inputShape, int classes)
    {
        if (inputShape.Length != 3 || inputShape[1] < 8 || inputShape[2] < 8)
        {
            throw new ArgumentException($"{Name} needs image samples [channels, height, width] of at least 8x8, got [{string.Join(", ", inputShape)}]");
        }

        return new Network(Name, inputShape[0], classes, _widths, _blocks, _projectionShortcuts, BatchNorm != BatchNormMode.Batch);
    }

    /// <inheritdoc />
    public float[] InitialParameters(nn.Module module, ulong seed) => ModelParameters.InitialiseWithBatchNorm(module, seed);

    /// <summary>
    /// Batch normalisation over <paramref name="channels"/>, with running statistics (momentum 0.1,
    /// PyTorch's default) only when <paramref name="running"/>. The layer's batch counter is
    /// removed: at a fixed momentum nothing reads it, and TorchSharp increments it through an
    /// overload whose Scalars a collection can free during the native call (docs/RELIABILITY.md).
    /// </summary>
    private static nn.Module<Tensor, Tensor> Norm(long channels, bool running)
    {
        var norm = nn.BatchNorm2d(channels, track_running_stats: running);
        norm.num_batches_tracked = null;
        return norm;
    }

    private static nn.Module<Tensor, Tensor> Conv(long inputs, long outputs, long kernel, long stride) =>
        nn.Conv2d(inputs, outputs, kernel, stride: stride, padding: kernel / 2, bias: false);

    /// <summary>The whole network: stem, stages of basic blocks, global average pooling, classifier.</summary>
    private sealed class Network : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _stem;
        private readonly nn.Module<Tensor, Tensor> _stemNorm;
        private readonly ImmutableArray<nn.Module<Tensor, Tensor>> _blocks;
        private readonly nn.Module<Tensor, Tensor> _classifier;

        public Network(string name, int channels, int classes, ImmutableArray<int> widths, int blocksPerStage, bool projection, bool running)
            : base(name)
        {
            _stem = Conv(channels, widths[0], 3, 1);
            _stemNorm = Norm(widths[0], running);
            register_module("conv1", _stem);
            register_module("bn1", _stemNorm);
            var blocks = ImmutableArray.CreateBuilder<nn.Module<Tensor, Tensor>>();
            int previous = widths[0];
            for (int stage = 0; stage < widths.Length; stage++)
            {
                for (int b = 0; b < blocksPerStage; b++)
                {
                    int stride = stage > 0 && b == 0 ? 2 : 1;
                    var block = new BasicBlock($"layer{stage + 1}.{b}", previous, widths[stage], stride, projection, running);
                    register_module($"layer{stage + 1}_{b}", block);
                    blocks.Add(block);
                    previous = widths[stage];
                }
            }

            _blocks = blocks.ToImmutable();
            _classifier = nn.Linear(previous, classes);
            register_module("linear", _classifier);
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = nn.functional.relu(_stemNorm.call(_stem.call(input)));
            foreach (var block in _blocks)
            {
                x = block.call(x);
            }

            x = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);
            return _classifier.call(x).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Two 3x3 convolutions with batch norm, added to the (possibly reshaped) input, then ReLU.</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        // The residual sum's alpha. TorchSharp 0.107's x + y creates a Scalar for alpha = 1 and
        // does not keep it alive through the native call: a collection on another thread can
        // finalize it while libtorch reads it (a lost gradient in CI: "toFloat at Scalar.h").
        // A static one is never finalized; the same value, so the same bits.
        private static readonly Scalar One = 1.ToScalar();

        private readonly nn.Module<Tensor, Tensor> _conv1;
        private readonly nn.Module<Tensor, Tensor> _norm1;
        private readonly nn.Module<Tensor, Tensor> _conv2;
        private readonly nn.Module<Tensor, Tensor> _norm2;
        private readonly nn.Module<Tensor, Tensor>? _projection;
        private readonly nn.Module<Tensor, Tensor>? _projectionNorm;
        private readonly long _padChannels;
        private readonly long _stride;

        public BasicBlock(string name, int inputs, int outputs, int stride, bool projection, bool running)
            : base(name)
        {
            _conv1 = Conv(inputs, outputs, 3, stride);
            _norm1 = Norm(outputs, running);
            _conv2 = Conv(outputs, outputs, 3, 1);
            _norm2 = Norm(outputs, running);
            register_module("conv1", _conv1);
            register_module("bn1", _norm1);
            register_module("conv2", _conv2);
            register_module("bn2", _norm2);
            _stride = stride;
            if (stride != 1 || inputs != outputs)
            {
                if (projection)
                {
                    _projection = Conv(inputs, outputs, 1, stride);
                    _projectionNorm = Norm(outputs, running);
                    register_module("shortcut_conv", _projection);
                    register_module("shortcut_bn", _projectionNorm);
                }
                else
                {
                    // Option A: the extra channels are zeros, split evenly before and after the input's.
                    _padChannels = (outputs - inputs) / 2;
                }
            }
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = nn.functional.relu(_norm1.call(_conv1.call(input)));
            x = _norm2.call(_conv2.call(x));
            Tensor shortcut = input;
            if (_projection is not null)
            {
                shortcut = _projectionNorm!.call(_projection.call(input));
            }
            else if (_stride != 1 || _padChannels != 0)
            {
                var subsampled = input[.., .., TensorIndex.Slice(null, null, _stride), TensorIndex.Slice(null, null, _stride)];
                shortcut = nn.functional.pad(subsampled, [0, 0, 0, 0, _padChannels, _padChannels]);
            }

            return nn.functional.relu(x.add(shortcut, One)).MoveToOuterDisposeScope();
        }
    }
}
