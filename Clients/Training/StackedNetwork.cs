using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training;

/// <summary>
/// Computes the minibatch gradients of several clients at the same parameters in one pass, with
/// a hand-written backward pass. In D-SGD every honest client differentiates the same model at
/// theta_t on its own minibatch. One client at a time, libtorch turns each convolution into a
/// row of small products (a 25-sample batch through a 5x5 convolution: 25 products of 50 x 500
/// by 500 x 64), and its CPU im2col, col2im and max-pooling kernels cost more than the products
/// (measured: <c>benchmarks ... stacked</c>). Here each layer is one matrix product per client
/// over all of its samples (50 x 500 by 500 x 1600), batched over the clients through MKL, and
/// the memory-bound steps (im2col, col2im, bias, ReLU, pooling, softmax) are simple loops here
/// that write straight into the layout the next product reads, so nothing is permuted.
/// <para>
/// Evaluation needs no backward pass, so where 512-bit vectors are fast its convolutions skip
/// im2col and MKL: sixteen samples at a time, one per lane, through every block
/// (<see cref="EvaluateConvolutions"/>).
/// </para>
/// <para>
/// A client's gradient is a function of the parameters and its batch only: the same bits
/// whether it is computed alone or with other clients, at any position in the stack (tested).
/// That lets the trainer pool group requests however they arrive.
/// </para>
/// <para>
/// Supported: any number of blocks "valid stride-1 convolution, ReLU, 2x2 max-pooling", then
/// flatten, then linear layers with ReLU between them (every built-in model).
/// <see cref="TryCreate"/> returns null for anything else, and the module is used instead.
/// </para>
/// </summary>
internal sealed class StackedNetwork
{
    private readonly ImmutableArray<ConvolutionBlock> _convolutions;
    private readonly ImmutableArray<LinearLayer> _linears;
    private readonly long[] _inputShape;
    private readonly Buffers _buffers = new();
    private bool _preparedForEvaluation;
    private object? _loadedIdentity;

    private StackedNetwork(ImmutableArray<ConvolutionBlock> convolutions, ImmutableArray<LinearLayer> linears, long[] inputShape)
    {
        _convolutions = convolutions;
        _linears = linears;
        _inputShape = inputShape;
        ParameterCount = checked(convolutions.Sum(c => c.ParameterCount) + linears.Sum(l => l.ParameterCount));
    }

    /// <summary>d.</summary>
    public int ParameterCount { get; }

    /// <summary>
    /// Most clients in one pass. With convolutions, one: a client's activations and im2col
    /// columns already take about 8 MB for cnn_mnist, each product is per client anyway, and
    /// stacking ten only pushed the working set out of the caches (one thread: 5.9 ms per
    /// gradient alone, 6.6 ms ten at a time; two trainers share the L3 cache). Without, all:
    /// small MLPs gain most from sharing a pass (0.49 -> 0.26 ms per gradient).
    /// </summary>
    public int ClientsPerPass => _convolutions.IsEmpty ? int.MaxValue : 1;

    /// <summary>
    /// Samples per evaluation batch: as many as keep a batch's activations near a megabyte of
    /// floats (cache-sized), from 25 to 1000. Through im2col, cnn_mnist got 25 (measured fastest:
    /// 0.70 s for its 10,000 test images on one thread, 0.92 s at 1000); a small MLP gets 1000,
    /// where the fixed cost of a batch dominates. Convolutions evaluated directly write only their
    /// last block's output per sample, so cnn_mnist gets 800 (one thread: 0.34-0.35 s from 250
    /// samples up, 0.47 s at 25, where the first linear layer's product is small).
    /// </summary>
    public int EvaluationBatch
    {
        get
        {
            long perSample = (EvaluatesDirectly ? _convolutions[^1].OutputLanes / ConvolutionBlock.SampleLanes : _convolutions.Sum(c => c.ActivationsPerSample))
                + _linears.Sum(l => (long)l.Outputs);
            return (int)Math.Clamp((1L << 20) / Math.Max(1, perSample), 25, 1000);
        }
    }

    /// <summary>The stacked form of <paramref name="module"/> for samples of <paramref name="inputShape"/>, or null when it has another shape.</summary>
    /// <param name="module">The module.</param>
    /// <param name="inputShape">Shape of one sample.</param>
    /// <param name="wideKernels">False: convolutions stay off the 512-bit kernels even where the machine has them.</param>
    public static StackedNetwork? TryCreate(nn.Module<Tensor, Tensor> module, long[] inputShape, bool wideKernels = true)
    {
        var children = module.named_children().Select(c => c.module).ToList();
        var convolutions = ImmutableArray.CreateBuilder<ConvolutionBlock>();
        var linears = ImmutableArray.CreateBuilder<LinearLayer>();
        int offset = 0, at = 0;
        long channels = inputShape.Length == 3 ? inputShape[0] : 0, height = inputShape.Length == 3 ? inputShape[1] : 0, width = inputShape.Length == 3 ? inputShape[2] : 0;
        while (at + 2 < children.Count && children[at] is Conv2d conv && children[at + 1] is ReLU && children[at + 2] is MaxPool2d pool)
        {
            if (inputShape.Length != 3 || !IsPlain(conv) || !IsPlain(pool) || conv.weight!.shape[1] != channels)
            {
                return null;
            }

            var block = new ConvolutionBlock(offset, (int)channels, (int)height, (int)width, (int)conv.weight.shape[0], (int)conv.weight.shape[2], first: convolutions.Count == 0, wideKernels);
            if (block.OutputHeight % 2 != 0 || block.OutputWidth % 2 != 0)
            {
                return null;
            }

            convolutions.Add(block);
            offset += block.ParameterCount;
            (channels, height, width) = (block.Outputs, block.OutputHeight / 2, block.OutputWidth / 2);
            at += 3;
        }

        if (at < children.Count && children[at] is Flatten)
        {
            at++;
        }
        else if (convolutions.Count > 0 || inputShape.Length != 1)
        {
            return null;
        }

        long features = convolutions.Count > 0 ? channels * height * width : inputShape.Aggregate(1L, (a, b) => a * b);
        while (at < children.Count && children[at] is Linear linear && linear.bias is not null && linear.weight!.shape[1] == features)
        {
            // Every hidden layer has its ReLU (the backward pass masks by it); the last has none.
            bool relu = at + 1 < children.Count && children[at + 1] is ReLU;
            if (!relu && at + 1 < children.Count)
            {
                return null;
            }

            var layer = new LinearLayer(offset, (int)features, (int)linear.weight.shape[0], relu);
            linears.Add(layer);
            offset += layer.ParameterCount;
            features = layer.Outputs;
            at += relu ? 2 : 1;
        }

        return at == children.Count && linears.Count > 0 && !linears[^1].Relu
            ? new StackedNetwork(convolutions.ToImmutable(), linears.ToImmutable(), inputShape)
            : null;
    }

    /// <summary>
    /// Gradients of the mean loss of each of <paramref name="clients"/> clients on its own
    /// <paramref name="samples"/> samples, all at <paramref name="parameters"/>.
    /// <paramref name="inputs"/> is [clients x samples, ...sample shape] with each client's samples
    /// contiguous, <paramref name="targets"/> its labels (int64) or regression targets. Writes
    /// clients x d values to <paramref name="gradients"/> and each client's loss to <paramref name="losses"/>.
    /// <paramref name="parametersIdentity"/> is an immutable object that stands for the values of
    /// <paramref name="parameters"/> (the payload they come from), or null. When it is the one of
    /// the previous pass, the parameters are already loaded and are not copied again: a trainer
    /// computes a round's gradients one after another at the same parameters (1.7 MB each for cnn_mnist).
    /// </summary>
    public void Gradients(
        ReadOnlySpan<float> parameters, int clients, int samples, Tensor inputs, Tensor targets, bool regression, GradientRows gradients, Span<float> losses, object? parametersIdentity = null)
    {
        using var scope = NewDisposeScope();
        if (parametersIdentity is null || !ReferenceEquals(parametersIdentity, _loadedIdentity))
        {
            Load(parameters);
            _loadedIdentity = parametersIdentity;
        }

        var theta = Theta;
        var shape = new Shape(clients, samples);
        var convolutionState = new ConvolutionBlock.Saved[_convolutions.Length];
        var linearInputs = new Tensor[_linears.Length];
        var x = Forward(theta, inputs, shape, convolutionState, linearInputs);

        // Loss and its gradient with respect to the outputs.
        var delta = _buffers.Get("loss", 0, x.shape);
        OutputLoss.Compute(TensorMemory.Floats(x), targets, regression, shape, (int)x.shape[2], TensorMemory.Floats(delta), losses);

        // Backward, layer by layer, writing each client's parameter gradients.
        for (int i = _linears.Length - 1; i >= 0; i--)
        {
            bool needInput = i > 0 || _convolutions.Length > 0;
            delta = _linears[i].Backward(theta, linearInputs[i], delta, shape, gradients, needInput, _buffers)!;
        }

        for (int i = _convolutions.Length - 1; i >= 0; i--)
        {
            delta = _convolutions[i].Backward(theta, convolutionState[i], delta, OutputLayout(i), shape, gradients, i > 0, _buffers)!;
        }
    }

    /// <summary>Copies <paramref name="parameters"/> in for the forward passes of <see cref="Outputs"/>.</summary>
    public void Load(ReadOnlySpan<float> parameters)
    {
        parameters.CopyTo(TensorMemory.Floats(Theta));
        _preparedForEvaluation = false;
        _loadedIdentity = null;
    }

    /// <summary>
    /// Forward pass only, at the parameters of the last <see cref="Load"/>: the outputs (logits)
    /// of <paramref name="samples"/> samples as [samples, outputs], a view valid until the next call.
    /// </summary>
    public Tensor Outputs(Tensor inputs, int samples)
    {
        if (!_preparedForEvaluation)
        {
            foreach (var convolution in _convolutions)
            {
                convolution.PrepareEvaluation(Theta, _buffers);
            }

            _preparedForEvaluation = true;
        }

        return Forward(Theta, inputs, new Shape(1, samples), null, null).view(samples, -1);
    }

    /// <summary>The loaded parameters.</summary>
    private Tensor Theta => _buffers.Get("theta", 0, [ParameterCount]);

    /// <summary>
    /// The forward pass: the outputs as [clients, samples, outputs]. For training, pass the arrays
    /// that receive what the backward pass needs (each convolution block's state, each linear
    /// layer's input); for evaluation, null (pooling then skips its winners).
    /// </summary>
    private Tensor Forward(Tensor theta, Tensor inputs, Shape shape, ConvolutionBlock.Saved[]? convolutionState, Tensor[]? linearInputs)
    {
        var x = inputs.view(shape.Clients, shape.Samples, -1);
        var layout = Layout.SampleMajor(_inputShape.Length == 3 ? (int)_inputShape[0] : 1);
        if (convolutionState is null && EvaluatesDirectly)
        {
            x = EvaluateConvolutions(x, shape);
        }
        else
        {
            for (int i = 0; i < _convolutions.Length; i++)
            {
                var saved = _convolutions[i].Forward(theta, x, layout, OutputLayout(i), shape, _buffers, training: convolutionState is not null);
                if (convolutionState is not null)
                {
                    convolutionState[i] = saved;
                }

                x = saved.Output;
                layout = OutputLayout(i);
            }
        }

        for (int i = 0; i < _linears.Length; i++)
        {
            if (linearInputs is not null)
            {
                linearInputs[i] = x;
            }

            x = _linears[i].Forward(theta, x, shape, _buffers);
        }

        return x;
    }

    /// <summary>Whether evaluation runs the convolution blocks through <see cref="EvaluateConvolutions"/>.</summary>
    private bool EvaluatesDirectly => !_convolutions.IsEmpty && _convolutions.All(c => c.EvaluatesDirectly);

    /// <summary>
    /// Evaluation's convolution blocks, sixteen samples at a time: each group's inputs are
    /// interleaved into lanes once, pass through every block in that layout
    /// (<see cref="ConvolutionBlock.EvaluateGroup"/>), and the last block's output is written
    /// sample-major for the linear layers. Lanes of a short last group are zero and never read out.
    /// </summary>
    private Tensor EvaluateConvolutions(Tensor inputs, Shape shape)
    {
        int samples = shape.Samples;
        int features = (int)(_convolutions[0].InputLanes / ConvolutionBlock.SampleLanes);
        int outputFeatures = (int)(_convolutions[^1].OutputLanes / ConvolutionBlock.SampleLanes);
        var output = _buffers.Get("evaluation-output", 0, [shape.Clients, samples, outputFeatures]);
        var lanes = new Tensor[_convolutions.Length + 1];
        lanes[0] = _buffers.Get("evaluation-lanes", 0, [_convolutions[0].InputLanes]);
        for (int i = 0; i < _convolutions.Length; i++)
        {
            lanes[i + 1] = _buffers.Get("evaluation-lanes", i + 1, [_convolutions[i].OutputLanes]);
        }

        var packed = _convolutions.Select(c => c.PackedWeights(_buffers)).ToArray();
        var source = TensorMemory.Floats(inputs);
        var target = TensorMemory.Floats(output);
        for (int c = 0; c < shape.Clients; c++)
        {
            for (int group = 0; group < samples; group += ConvolutionBlock.SampleLanes)
            {
                int count = Math.Min(ConvolutionBlock.SampleLanes, samples - group);
                ConvolutionBlock.Interleave(source.Slice(((c * samples) + group) * features, count * features), features, TensorMemory.Floats(lanes[0]));

                for (int i = 0; i < _convolutions.Length; i++)
                {
                    _convolutions[i].EvaluateGroup(TensorMemory.Floats(packed[i]), TensorMemory.Floats(lanes[i]), TensorMemory.Floats(lanes[i + 1]));
                }

                var result = TensorMemory.Floats(lanes[^1]);
                for (int s = 0; s < count; s++)
                {
                    var sample = target.Slice(((c * samples) + group + s) * outputFeatures, outputFeatures);
                    for (int f = 0; f < outputFeatures; f++)
                    {
                        sample[f] = result[(f * ConvolutionBlock.SampleLanes) + s];
                    }
                }
            }
        }

        return output;
    }

    /// <summary>Convolution block <paramref name="block"/>'s output: sample-major for the flatten after the last, channel-major for the next block.</summary>
    private Layout OutputLayout(int block) =>
        block == _convolutions.Length - 1 ? Layout.SampleMajor(_convolutions[block].Outputs) : Layout.ChannelMajor(_convolutions[block].Outputs);

    private static bool IsPlain(Conv2d conv) =>
        conv.bias is not null && conv.weight!.shape[2] == conv.weight.shape[3] && conv.groups == 1
        && conv.stride.All(s => s == 1) && conv.dilation.All(d => d == 1)
        && conv.padding is { } padding && padding.All(p => p == 0);

    private static bool IsPlain(MaxPool2d pool) =>
        pool.kernel_size is { } size && size.All(k => k == 2) && (pool.stride is null || pool.stride.All(s => s == 2))
        && (pool.padding is null || pool.padding.All(p => p == 0));

    /// <summary>
    /// The tensors a pass writes, kept from one pass to the next: a fresh allocation of tens of
    /// megabytes is fresh pages from the kernel, and their page faults cost as much as the
    /// products written into them (measured). Each role's buffer grows to the largest pass seen;
    /// a pass gets a view of its first elements. Every buffer is fully written before it is read.
    /// </summary>
    private sealed class Buffers
    {
        private readonly Dictionary<(string Role, int Layer, ScalarType Type), Tensor> _storage = [];

        public Tensor Get(string role, int layer, long[] shape, ScalarType type = ScalarType.Float32)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (!_storage.TryGetValue((role, layer, type), out var storage) || storage.numel() < count)
            {
                storage?.Dispose();
                storage = empty([count], type).DetachFromDisposeScope();
                _storage[(role, layer, type)] = storage;
            }

            return storage.narrow(0, 0, count).view(shape);
        }
    }

    /// <summary>Clients and samples per client of one pass.</summary>
    private readonly record struct Shape(int Clients, int Samples);

    /// <summary>
    /// Where an image activation's element (client, channel, sample, y, x) lives: sample-major
    /// [clients, samples, channels, h, w] (the input, and the flatten before linear layers) or
    /// channel-major [clients, channels, samples, h, w] (what a convolution's product produces).
    /// </summary>
    private readonly record struct Layout(bool ChannelFirst, int Channels)
    {
        public static Layout SampleMajor(int channels) => new(false, channels);

        public static Layout ChannelMajor(int channels) => new(true, channels);

        /// <summary>Offset of plane (client, channel, sample) in units of one h x w plane.</summary>
        public long Plane(int client, int channel, int sample, int samples) =>
            ChannelFirst
                ? (((long)client * Channels) + channel) * samples + sample
                : (((long)client * samples) + sample) * Channels + channel;
    }

    /// <summary>
    /// Valid stride-1 k x k convolution, then ReLU, then 2x2 max-pooling, through im2col and MKL;
    /// the first block of a network forms its weight gradient directly (<see cref="DirectWeightGradient"/>).
    /// Where 512-bit vectors are fast, evaluation (<see cref="EvaluateGroup"/>) and the first
    /// block's training passes (<see cref="ForwardDirectly"/>, <see cref="BackwardDirectly"/>)
    /// put sixteen samples in each vector instead and skip im2col.
    /// </summary>
    private sealed class ConvolutionBlock(int offset, int channels, int height, int width, int outputs, int kernel, bool first, bool wideKernels)
    {
        /// <summary>The kernel size the direct weight gradient is written for (one accumulator per tap of a kernel row).</summary>
        private const int DirectKernel = 5;

        public int Outputs => outputs;

        public int OutputHeight => height - kernel + 1;

        public int OutputWidth => width - kernel + 1;

        private int Taps => channels * kernel * kernel;

        private int Positions => OutputHeight * OutputWidth;

        public int ParameterCount => (outputs * Taps) + outputs;

        /// <summary>Floats a forward pass through im2col writes per sample: the columns and the products.</summary>
        public long ActivationsPerSample => ((long)Taps + outputs) * Positions;

        /// <summary>
        /// The first block's weight gradient is a product of K = samples x positions (14,400 for
        /// cnn_mnist) into a tiny 20 x 25 result, which MKL runs at a quarter of its speed; formed
        /// directly from the block's input, two output channels and a kernel row at a time, it
        /// takes 0.30 ms instead of 0.65 (one thread, per gradient). Needs 5 x 5 kernels (both
        /// built-in networks) and rows of at least 8 outputs. (A direct forward pass for training,
        /// vectorised over output positions, was tried too: no faster than im2col and MKL.
        /// Evaluation's direct pass, <see cref="EvaluateGroup"/>, vectorises over samples instead.)
        /// </summary>
        private bool Direct => first && kernel == DirectKernel && OutputWidth >= Vector256<float>.Count && Vector256.IsHardwareAccelerated;

        /// <summary>
        /// What the backward pass needs: what the weight gradient reads (the im2col columns, or
        /// <see cref="ForwardDirectly"/>'s input lanes), the block's input, the pooled output and
        /// the winner of each pooling window (for <see cref="ForwardDirectly"/>, in its lanes, -1
        /// where the window did not pass ReLU).
        /// </summary>
        public sealed record Saved(Tensor Columns, Tensor Input, Tensor Output, Tensor Winners);

        public Saved Forward(Tensor theta, Tensor input, Layout inputLayout, Layout outputLayout, Shape shape, Buffers buffers, bool training)
        {
            int clients = shape.Clients, samples = shape.Samples;
            if (training && TrainsDirectly)
            {
                return ForwardDirectly(theta, input, outputLayout, shape, buffers);
            }

            var columns = buffers.Get("columns", offset, [clients, Taps, (long)samples * Positions]);
            Im2Col(TensorMemory.Floats(input), inputLayout, shape, TensorMemory.Floats(columns));
            var products = Product(buffers.Get("products", offset, [clients, outputs, (long)samples * Positions]), _ => Weight(theta), c => columns[c]);

            int pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2;
            var output = buffers.Get("pooled", offset, [clients, samples, (long)outputs * pooledHeight * pooledWidth]);
            var winners = buffers.Get("winners", offset, [training ? output.numel() : 0], ScalarType.Int32);
            Pool(TensorMemory.Floats(products), TensorMemory.Floats(theta).Slice(offset + (outputs * Taps), outputs), outputLayout, shape, TensorMemory.Floats(output), training ? TensorMemory.Ints(winners) : []);
            return new Saved(columns, input, output, winners);
        }

        public Tensor? Backward(Tensor theta, Saved saved, Tensor delta, Layout outputLayout, Shape shape, GradientRows gradients, bool needInput, Buffers buffers)
        {
            if (TrainsDirectly)
            {
                BackwardDirectly(saved, delta, outputLayout, shape, gradients, buffers);
                return null;
            }

            int clients = shape.Clients, samples = shape.Samples;
            long columnsPerClient = (long)samples * Positions;

            // Through pooling and ReLU: each window's gradient goes to its winner if the window was positive.
            var products = buffers.Get("products", offset, [clients, outputs, columnsPerClient]);
            Unpool(TensorMemory.Floats(delta), TensorMemory.Floats(saved.Output), TensorMemory.Ints(saved.Winners), outputLayout, shape, TensorMemory.Floats(products));

            var productValues = TensorMemory.Floats(products);
            int weightSize = outputs * Taps;
            if (Direct)
            {
                DirectWeightGradient(TensorMemory.Floats(saved.Input), productValues, shape, gradients);
            }
            else
            {
                var columns = saved.Columns;
                var weights = TensorMemory.Floats(Product(buffers.Get("weight-gradient", offset, [clients, outputs, Taps]), c => products[c], c => columns[c].t()));
                for (int c = 0; c < clients; c++)
                {
                    weights.Slice(c * weightSize, weightSize).CopyTo(gradients[c].Slice(offset, weightSize));
                }
            }

            for (int c = 0; c < clients; c++)
            {
                var destination = gradients[c].Slice(offset, ParameterCount);
                for (int o = 0; o < outputs; o++)
                {
                    destination[weightSize + o] = Sum(productValues.Slice((int)(((long)c * outputs + o) * columnsPerClient), (int)columnsPerClient));
                }
            }

            if (!needInput)
            {
                return null;
            }

            // The columns' gradient reuses the columns' buffer: the weight gradient above was their last use.
            var columnGradient = Product(saved.Columns, _ => Weight(theta).t(), c => products[c]);
            var inputGradient = buffers.Get("input-gradient", offset, [clients, (long)samples * channels * height * width]).zero_();
            Col2Im(TensorMemory.Floats(columnGradient), shape, TensorMemory.Floats(inputGradient));
            return inputGradient;
        }

        private Tensor Weight(Tensor theta) => theta.narrow(0, offset, (long)outputs * Taps).view(outputs, Taps);

        /// <summary>Samples one pass of <see cref="EvaluateGroup"/> computes: the lanes of a 512-bit vector.</summary>
        public const int SampleLanes = 16;

        /// <summary>Output channels one call of <see cref="EvaluateWindow"/> computes.</summary>
        private const int ChannelBlock = 4;

        /// <summary>Output channels rounded up to whole blocks of <see cref="ChannelBlock"/>.</summary>
        private int PaddedOutputs => (outputs + ChannelBlock - 1) / ChannelBlock * ChannelBlock;

        /// <summary>Floats of the packed weights: per block of <see cref="ChannelBlock"/> output channels, its weights tap by tap, then its bias.</summary>
        private long PackedLength => (Taps + 1L) * PaddedOutputs;

        /// <summary>
        /// Evaluation skips im2col where 512-bit vectors are fast (<see cref="EvaluateGroup"/>);
        /// elsewhere it keeps im2col and MKL.
        /// </summary>
        public bool EvaluatesDirectly => wideKernels && Vector512.IsHardwareAccelerated && OutputHeight % 2 == 0 && OutputWidth % 2 == 0;

        /// <summary>
        /// The first block's forward pass in training goes through <see cref="ForwardDirectly"/>:
        /// its backward pass needs no im2col columns (the weight gradient is direct, and no input
        /// gradient is formed).
        /// </summary>
        private bool TrainsDirectly => first && Direct && EvaluatesDirectly;

        /// <summary>
        /// The first block's forward pass for training, as <see cref="EvaluateGroup"/> computes it
        /// (sixteen samples per vector, no im2col, no MKL). Pooled values go to the usual layout
        /// for the next block; the input lanes and each window's winner stay in lanes for
        /// <see cref="BackwardDirectly"/>. For cnn_mnist, one thread: im2col, product and pooling
        /// of a 25-sample gradient took 0.69 ms.
        /// </summary>
        private unsafe Saved ForwardDirectly(Tensor theta, Tensor input, Layout outputLayout, Shape shape, Buffers buffers)
        {
            int samples = shape.Samples, pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2, pooledPlane = pooledHeight * pooledWidth;
            int features = channels * height * width;
            var output = buffers.Get("pooled", offset, [shape.Clients, samples, (long)outputs * pooledPlane]);
            int groups = (samples + SampleLanes - 1) / SampleLanes;
            var lanes = buffers.Get("training-lanes", offset, [shape.Clients * groups * InputLanes]);
            var winnerLanes = buffers.Get("training-winner-lanes", offset, [shape.Clients * groups * OutputLanes], ScalarType.Int32);
            var packed = buffers.Get("training-packed-weights", offset, [PackedLength]);
            PackWeights(TensorMemory.Floats(theta), TensorMemory.Floats(packed));
            var source = TensorMemory.Floats(input);
            var laneValues = TensorMemory.Floats(lanes);
            float* pooled = stackalloc float[ChannelBlock * SampleLanes];
            int* winner = stackalloc int[ChannelBlock * SampleLanes];
            fixed (float* packedBase = TensorMemory.Floats(packed), laneValuesBase = laneValues, outputBase = TensorMemory.Floats(output))
            fixed (int* winnerLaneValues = TensorMemory.Ints(winnerLanes))
            {
                for (int c = 0; c < shape.Clients; c++)
                {
                    for (int group = 0; group < samples; group += SampleLanes)
                    {
                        int count = Math.Min(SampleLanes, samples - group);
                        long lanesAt = ((long)c * groups) + (group / SampleLanes);
                        float* laneBase = laneValuesBase + (lanesAt * InputLanes);
                        int* winnerLaneBase = winnerLaneValues + (lanesAt * OutputLanes);
                        Interleave(source.Slice(((c * samples) + group) * features, count * features), features, laneValues.Slice((int)(lanesAt * InputLanes), (int)InputLanes));
                        for (int block = 0; block < outputs; block += ChannelBlock)
                        {
                            float* weights = packedBase + ((long)block * (Taps + 1));
                            int blockOutputs = Math.Min(ChannelBlock, outputs - block);
                            for (int py = 0; py < pooledHeight; py++)
                            {
                                for (int px = 0; px < pooledWidth; px++)
                                {
                                    var sink = new PooledWithWinners(pooled, winner);
                                    AccumulateWindow(weights, laneBase + ((((2 * py) * width) + (2 * px)) * SampleLanes), ref sink);
                                    for (int o = 0; o < blockOutputs; o++)
                                    {
                                        // For the backward pass: the winner where the window passed ReLU, else -1.
                                        var positive = Vector512.GreaterThan(Vector512.Load(pooled + (o * SampleLanes)), Vector512<float>.Zero).AsInt32();
                                        Vector512.ConditionalSelect(positive, Vector512.Load(winner + (o * SampleLanes)), Vector512.Create(-1))
                                            .Store(winnerLaneBase + (((((long)(block + o) * pooledHeight) + py) * pooledWidth + px) * SampleLanes));
                                        long at = (outputLayout.Plane(c, block + o, group, samples) * pooledPlane) + (py * pooledWidth) + px;
                                        for (int s = 0; s < count; s++, at += outputLayout.ChannelFirst ? pooledPlane : (long)outputs * pooledPlane)
                                        {
                                            outputBase[at] = pooled[(o * SampleLanes) + s];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            return new Saved(lanes, input, output, winnerLanes);
        }

        /// <summary>
        /// The first block's backward pass after <see cref="ForwardDirectly"/>, in its sample
        /// lanes: a window's gradient reaches its winner when the window passed ReLU (the winner
        /// lanes hold -1 where it did not), so the four positions' gradients are masks of the
        /// window's, and weight gradient[o, channel, ky, kx] accumulates, per lane, over the
        /// windows, gradient(position) x input(position + (ky, kx)); lanes are summed at the end,
        /// then groups in order. No products gradient is written (unpooling, and reading it back
        /// for the weight gradient, took 0.58 ms of a cnn_mnist gradient on one thread). Needs
        /// 5 x 5 kernels (<see cref="Direct"/>).
        /// </summary>
        private unsafe void BackwardDirectly(Saved saved, Tensor delta, Layout outputLayout, Shape shape, GradientRows gradients, Buffers buffers)
        {
            int samples = shape.Samples, pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2, pooledPlane = pooledHeight * pooledWidth;
            int groups = (samples + SampleLanes - 1) / SampleLanes, weightSize = outputs * Taps, row = width * SampleLanes;
            var deltaLanes = buffers.Get("training-delta-lanes", offset, [OutputLanes]);
            var deltaValues = TensorMemory.Floats(deltaLanes);
            var source = TensorMemory.Floats(delta);
            fixed (float* inputLanes = TensorMemory.Floats(saved.Columns), deltaBase = deltaValues)
            fixed (int* winnerLanes = TensorMemory.Ints(saved.Winners))
            {
                for (int c = 0; c < shape.Clients; c++)
                {
                    var destination = gradients[c].Slice(offset, ParameterCount);
                    destination.Clear();
                    for (int group = 0; group < samples; group += SampleLanes)
                    {
                        int count = Math.Min(SampleLanes, samples - group);
                        long lanesAt = ((long)c * groups) + (group / SampleLanes);
                        if (count < SampleLanes)
                        {
                            deltaValues.Clear();
                        }

                        for (int o = 0; o < outputs; o++)
                        {
                            for (int s = 0; s < count; s++)
                            {
                                var plane = source.Slice((int)(outputLayout.Plane(c, o, group + s, samples) * pooledPlane), pooledPlane);
                                for (int p = 0; p < pooledPlane; p++)
                                {
                                    deltaValues[(((o * pooledPlane) + p) * SampleLanes) + s] = plane[p];
                                }
                            }
                        }

                        float* lanes = inputLanes + (lanesAt * InputLanes);
                        int* winners = winnerLanes + (lanesAt * OutputLanes);
                        for (int o = 0; o < outputs; o++)
                        {
                            float* gradient = deltaBase + ((long)o * pooledPlane * SampleLanes);
                            int* winner = winners + ((long)o * pooledPlane * SampleLanes);
                            var bias = Vector512<float>.Zero;
                            for (int p = 0; p < pooledPlane; p++)
                            {
                                bias += Vector512.Load(gradient + (p * SampleLanes)) & Vector512.GreaterThanOrEqual(Vector512.Load(winner + (p * SampleLanes)), Vector512<int>.Zero).AsSingle();
                            }

                            destination[weightSize + o] += Vector512.Sum(bias);
                            for (int channel = 0; channel < channels; channel++)
                            {
                                for (int ky = 0; ky < DirectKernel; ky++)
                                {
                                    float* taps = lanes + ((((long)channel * height) + ky) * row);
                                    KernelRowGradient(gradient, winner, taps, row, pooledHeight, pooledWidth, destination.Slice((o * Taps) + (((channel * DirectKernel) + ky) * DirectKernel), DirectKernel));
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// One kernel row of <see cref="BackwardDirectly"/>: adds to <paramref name="target"/>[kx]
        /// the sum over windows and lanes of the four positions' gradients times the inputs
        /// (ky, kx) away, two accumulators per kx (upper and lower row of the window) so that no
        /// chain of four dependent FMAs forms.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void KernelRowGradient(float* gradient, int* winner, float* taps, int row, int pooledHeight, int pooledWidth, Span<float> target)
        {
            KernelRow upper = default, lower = default;
            for (int py = 0; py < pooledHeight; py++)
            {
                for (int px = 0; px < pooledWidth; px++, gradient += SampleLanes, winner += SampleLanes)
                {
                    var g = Vector512.Load(gradient);
                    var w = Vector512.Load(winner);
                    float* top = taps + (2 * py * row) + (2 * px * SampleLanes);
                    upper.Add(top, g & Vector512.Equals(w, Vector512<int>.Zero).AsSingle(), g & Vector512.Equals(w, Vector512.Create(1)).AsSingle());
                    lower.Add(top + row, g & Vector512.Equals(w, Vector512.Create(2)).AsSingle(), g & Vector512.Equals(w, Vector512.Create(3)).AsSingle());
                }
            }

            target[0] += Vector512.Sum(upper.K0 + lower.K0);
            target[1] += Vector512.Sum(upper.K1 + lower.K1);
            target[2] += Vector512.Sum(upper.K2 + lower.K2);
            target[3] += Vector512.Sum(upper.K3 + lower.K3);
            target[4] += Vector512.Sum(upper.K4 + lower.K4);
        }

        /// <summary>A kernel row's five accumulators for one row of the pooling windows (<see cref="KernelRowGradient"/>).</summary>
        private struct KernelRow
        {
            public Vector512<float> K0, K1, K2, K3, K4;

            /// <summary>Adds, for kx = 0..4, left x input[kx] + right x input[kx + 1] (the window's two positions in this row).</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public unsafe void Add(float* input, Vector512<float> left, Vector512<float> right)
            {
                var x0 = Vector512.Load(input);
                var x1 = Vector512.Load(input + SampleLanes);
                var x2 = Vector512.Load(input + (2 * SampleLanes));
                var x3 = Vector512.Load(input + (3 * SampleLanes));
                var x4 = Vector512.Load(input + (4 * SampleLanes));
                var x5 = Vector512.Load(input + (5 * SampleLanes));
                K0 = Vector512.FusedMultiplyAdd(right, x1, Vector512.FusedMultiplyAdd(left, x0, K0));
                K1 = Vector512.FusedMultiplyAdd(right, x2, Vector512.FusedMultiplyAdd(left, x1, K1));
                K2 = Vector512.FusedMultiplyAdd(right, x3, Vector512.FusedMultiplyAdd(left, x2, K2));
                K3 = Vector512.FusedMultiplyAdd(right, x4, Vector512.FusedMultiplyAdd(left, x3, K3));
                K4 = Vector512.FusedMultiplyAdd(right, x5, Vector512.FusedMultiplyAdd(left, x4, K4));
            }
        }

        /// <summary>
        /// Interleaves consecutive samples of <paramref name="features"/> values each (at most
        /// <see cref="SampleLanes"/>) into <paramref name="lanes"/>: lanes[f * 16 + s] = sample s's
        /// feature f. Lanes past the last sample are zeroed.
        /// </summary>
        public static void Interleave(ReadOnlySpan<float> samples, int features, Span<float> lanes)
        {
            int count = samples.Length / features;
            if (count < SampleLanes)
            {
                lanes.Slice(0, features * SampleLanes).Clear();
            }

            for (int s = 0; s < count; s++)
            {
                var sample = samples.Slice(s * features, features);
                for (int f = 0; f < features; f++)
                {
                    lanes[(f * SampleLanes) + s] = sample[f];
                }
            }
        }

        /// <summary>Before evaluating at new parameters: packs the weights as <see cref="EvaluateWindow"/> reads them.</summary>
        public void PrepareEvaluation(Tensor theta, Buffers buffers)
        {
            if (EvaluatesDirectly)
            {
                PackWeights(TensorMemory.Floats(theta), TensorMemory.Floats(PackedWeights(buffers)));
            }
        }

        /// <summary>The weights <see cref="PrepareEvaluation"/> packed.</summary>
        public Tensor PackedWeights(Buffers buffers) => buffers.Get("packed-weights", offset, [PackedLength]);

        /// <summary>
        /// packed[block, tap, j] = weight[block * 4 + j, tap], then packed[block, Taps, j] = bias:
        /// one block's weights are contiguous (8 KB for cnn_mnist's second block), so they stay in
        /// the first-level cache while it sweeps every window. Zero for the padding channels.
        /// </summary>
        private void PackWeights(Span<float> theta, Span<float> packed)
        {
            packed.Clear();
            for (int o = 0; o < outputs; o++)
            {
                var block = packed.Slice(o / ChannelBlock * (Taps + 1) * ChannelBlock);
                var weights = theta.Slice(offset + (o * Taps), Taps);
                for (int tap = 0; tap < Taps; tap++)
                {
                    block[(tap * ChannelBlock) + (o % ChannelBlock)] = weights[tap];
                }

                block[(Taps * ChannelBlock) + (o % ChannelBlock)] = theta[offset + (outputs * Taps) + o];
            }
        }

        /// <summary>Floats of a block's input for <see cref="EvaluateGroup"/>: [channel, y, x, sample lane].</summary>
        public long InputLanes => (long)channels * height * width * SampleLanes;

        /// <summary>Floats of a block's output for <see cref="EvaluateGroup"/>: [output channel, pooled y, pooled x, sample lane].</summary>
        public long OutputLanes => (long)outputs * (OutputHeight / 2) * (OutputWidth / 2) * SampleLanes;

        /// <summary>
        /// Evaluation's convolution, ReLU and pooling for sixteen samples at once, without im2col:
        /// samples are the vector lanes of both <paramref name="input"/> and
        /// <paramref name="output"/> (see <see cref="InputLanes"/>, <see cref="OutputLanes"/>), so
        /// one block's output is the next block's input as it is. For each block of four output
        /// channels and each pooling window, <see cref="EvaluateWindow"/> accumulates the window's
        /// four positions in registers. Only pooled values are written. Evaluation of cnn_mnist
        /// had spent a third of its time writing im2col columns and in MKL copying them into its
        /// own layout. Training keeps im2col: its backward pass reads the columns.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public unsafe void EvaluateGroup(Span<float> packed, Span<float> input, Span<float> output)
        {
            int pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2, channelStride = pooledHeight * pooledWidth * SampleLanes;
            float* pooled = stackalloc float[ChannelBlock * SampleLanes];
            fixed (float* packedBase = packed, inputBase = input, outputBase = output)
            {
                for (int first = 0; first < outputs; first += ChannelBlock)
                {
                    float* weights = packedBase + ((long)first * (Taps + 1));
                    int count = Math.Min(ChannelBlock, outputs - first);
                    for (int py = 0; py < pooledHeight; py++)
                    {
                        for (int px = 0; px < pooledWidth; px++)
                        {
                            float* corner = inputBase + ((((2 * py) * width) + (2 * px)) * SampleLanes);
                            float* target = outputBase + ((((((long)first * pooledHeight) + py) * pooledWidth) + px) * SampleLanes);
                            if (count == ChannelBlock)
                            {
                                EvaluateWindow(weights, corner, target, channelStride);
                                continue;
                            }

                            // The last block has padding channels: their results go to scratch, the others are copied out.
                            EvaluateWindow(weights, corner, pooled, SampleLanes);
                            for (int o = 0; o < count; o++)
                            {
                                Vector512.Load(pooled + (o * SampleLanes)).Store(target + (o * channelStride));
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// One pooling window of <see cref="EvaluateGroup"/> for four output channels and
        /// sixteen samples: max(0, max over the window's four positions of bias + sum over taps
        /// of weight x input), the bias added before the maximum as in <see cref="Pool"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private unsafe void EvaluateWindow(float* weights, float* corner, float* result, int resultStride)
        {
            var sink = new Pooled(result, resultStride);
            AccumulateWindow(weights, corner, ref sink);
        }

        /// <summary>
        /// The sums over taps of weight x input at the four positions of one pooling window, for
        /// four output channels and sixteen samples, handed to <paramref name="sink"/> with the
        /// channels' biases. A struct sink is compiled into the loop, so its work costs no call.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private unsafe void AccumulateWindow<TSink>(float* weights, float* corner, ref TSink sink)
            where TSink : struct, IWindowSink
        {
            // Accumulators updated in place: a struct returned by value cost a register copy per FMA or so.
            WindowSums a = default, b = default, c = default, d = default;
            int row = width * SampleLanes;
            for (int channel = 0; channel < channels; channel++)
            {
                float* top = corner + ((long)channel * height * row);
                for (int ky = 0; ky < kernel; ky++, top += row)
                {
                    for (int kx = 0; kx < kernel; kx++, weights += ChannelBlock)
                    {
                        float* at = top + (kx * SampleLanes);
                        var upperLeft = Vector512.Load(at);
                        var upperRight = Vector512.Load(at + SampleLanes);
                        var lowerLeft = Vector512.Load(at + row);
                        var lowerRight = Vector512.Load(at + row + SampleLanes);
                        a.Add(Broadcast(weights), upperLeft, upperRight, lowerLeft, lowerRight);
                        b.Add(Broadcast(weights + 1), upperLeft, upperRight, lowerLeft, lowerRight);
                        c.Add(Broadcast(weights + 2), upperLeft, upperRight, lowerLeft, lowerRight);
                        d.Add(Broadcast(weights + 3), upperLeft, upperRight, lowerLeft, lowerRight);
                    }
                }
            }

            sink.Take(0, a.UpperLeft, a.UpperRight, a.LowerLeft, a.LowerRight, weights);
            sink.Take(1, b.UpperLeft, b.UpperRight, b.LowerLeft, b.LowerRight, weights + 1);
            sink.Take(2, c.UpperLeft, c.UpperRight, c.LowerLeft, c.LowerRight, weights + 2);
            sink.Take(3, d.UpperLeft, d.UpperRight, d.LowerLeft, d.LowerRight, weights + 3);
        }

        /// <summary>One output channel's sums at the four positions of a pooling window (<see cref="AccumulateWindow"/>).</summary>
        private struct WindowSums
        {
            public Vector512<float> UpperLeft, UpperRight, LowerLeft, LowerRight;

            /// <summary>Adds <paramref name="weight"/> times each position's input, fused.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Add(Vector512<float> weight, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight)
            {
                UpperLeft = Vector512.FusedMultiplyAdd(upperLeft, weight, UpperLeft);
                UpperRight = Vector512.FusedMultiplyAdd(upperRight, weight, UpperRight);
                LowerLeft = Vector512.FusedMultiplyAdd(lowerLeft, weight, LowerLeft);
                LowerRight = Vector512.FusedMultiplyAdd(lowerRight, weight, LowerRight);
            }
        }

        /// <summary>
        /// *<paramref name="value"/> in every lane, broadcast straight from memory:
        /// <c>Vector512.Create(float)</c> loads the value, then broadcasts it on the shuffle port,
        /// which the second FMA unit shares.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe Vector512<float> Broadcast(float* value) =>
            System.Runtime.Intrinsics.X86.Avx512F.IsSupported
                ? System.Runtime.Intrinsics.X86.Avx512F.BroadcastScalarToVector512(System.Runtime.Intrinsics.X86.Sse.LoadScalarVector128(value))
                : Vector512.Create(*value);

        /// <summary>max(0, max of a window's four positions); NaN stays NaN (as <see cref="Window.Best"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Best(Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight) =>
            Vector512.Max(Vector512.Max(Vector512.Max(upperLeft, upperRight), Vector512.Max(lowerLeft, lowerRight)), Vector512<float>.Zero);

        /// <summary>What <see cref="AccumulateWindow"/> does with a window's sums.</summary>
        private interface IWindowSink
        {
            /// <summary>Output channel <paramref name="channel"/> (0-3 of the block): its sums at the four positions, and its bias.</summary>
            unsafe void Take(int channel, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight, float* bias);
        }

        /// <summary>Evaluation: the pooled value of channel k goes to result + k x stride.</summary>
        private readonly unsafe struct Pooled(float* result, int stride) : IWindowSink
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Take(int channel, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight, float* bias)
            {
                var b = Vector512.Create(*bias);
                Best(upperLeft + b, upperRight + b, lowerLeft + b, lowerRight + b).Store(result + (channel * stride));
            }
        }

        /// <summary>
        /// Training: pooled values and winners of channel k go to the sixteen lanes at k x 16 of
        /// <paramref name="pooled"/> and <paramref name="winners"/>; the winner is chosen as
        /// <see cref="Window.Winner"/> chooses it.
        /// </summary>
        private readonly unsafe struct PooledWithWinners(float* pooled, int* winners) : IWindowSink
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Take(int channel, Vector512<float> upperLeft, Vector512<float> upperRight, Vector512<float> lowerLeft, Vector512<float> lowerRight, float* bias)
            {
                var b = Vector512.Create(*bias);
                var (v0, v1, v2, v3) = (upperLeft + b, upperRight + b, lowerLeft + b, lowerRight + b);
                Best(v0, v1, v2, v3).Store(pooled + (channel * SampleLanes));
                var one = Vector512.Create(1);
                var upperIndex = Vector512.GreaterThan(v1, v0).AsInt32() & one;
                var lowerIndex = (Vector512.GreaterThan(v3, v2).AsInt32() & one) + Vector512.Create(2);
                var lowerWins = Vector512.GreaterThan(Vector512.Max(v2, v3), Vector512.Max(v0, v1)).AsInt32();
                Vector512.ConditionalSelect(lowerWins, lowerIndex, upperIndex).Store(winners + (channel * SampleLanes));
            }
        }

        /// <summary>
        /// weight gradient[o, tap] = sum over samples and outputs (y, x) of
        /// gradient[c, o, s, y, x] * input(c, s, channel, y + ky, x + kx): two output channels and
        /// the five taps of a kernel row at a time, accumulated in vectors over rows of eight
        /// outputs (an overlapping last vector masks the lanes already counted), then summed
        /// across lanes; written straight into each client's gradient.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe void DirectWeightGradient(Span<float> input, Span<float> gradient, Shape shape, GradientRows gradients)
        {
            int samples = shape.Samples, outHeight = OutputHeight, outWidth = OutputWidth, plane = height * width, taps = Taps;
            long stride = (long)samples * Positions;
            fixed (float* inputBase = input, gradientBase = gradient)
            {
                for (int c = 0; c < shape.Clients; c++)
                {
                    var destination = gradients[c].Slice(offset, outputs * taps);
                    for (int o = 0; o < outputs; o += 2)
                    {
                        // With an odd count, the last channel is paired with itself and the copy is dropped.
                        float* gradientA = gradientBase + ((((long)c * outputs) + o) * stride);
                        float* gradientB = gradientBase + ((((long)c * outputs) + Math.Min(o + 1, outputs - 1)) * stride);
                        for (int channel = 0; channel < channels; channel++)
                        {
                            for (int ky = 0; ky < kernel; ky++)
                            {
                                var a0 = Vector256<float>.Zero;
                                var a1 = a0;
                                var a2 = a0;
                                var a3 = a0;
                                var a4 = a0;
                                var b0 = a0;
                                var b1 = a0;
                                var b2 = a0;
                                var b3 = a0;
                                var b4 = a0;
                                for (int s = 0; s < samples; s++)
                                {
                                    float* image = inputBase + ((((long)c * samples) + s) * channels * plane) + (channel * plane) + (ky * width);
                                    float* ga = gradientA + ((long)s * Positions);
                                    float* gb = gradientB + ((long)s * Positions);
                                    for (int y = 0; y < outHeight; y++, image += width, ga += outWidth, gb += outWidth)
                                    {
                                        for (int next = 0; next < outWidth; next += Vector256<float>.Count)
                                        {
                                            int x = Math.Min(next, outWidth - Vector256<float>.Count);
                                            var ea = Vector256.Load(ga + x);
                                            var eb = Vector256.Load(gb + x);
                                            if (x < next)
                                            {
                                                // Lanes x .. next - 1 were counted by the vector before.
                                                var fresh = Vector256.GreaterThanOrEqual(Vector256.Create(x) + Vector256<int>.Indices, Vector256.Create(next)).AsSingle();
                                                ea &= fresh;
                                                eb &= fresh;
                                            }

                                            float* row = image + x;
                                            var v0 = Vector256.Load(row);
                                            var v1 = Vector256.Load(row + 1);
                                            var v2 = Vector256.Load(row + 2);
                                            var v3 = Vector256.Load(row + 3);
                                            var v4 = Vector256.Load(row + 4);
                                            a0 = Vector256.FusedMultiplyAdd(ea, v0, a0);
                                            a1 = Vector256.FusedMultiplyAdd(ea, v1, a1);
                                            a2 = Vector256.FusedMultiplyAdd(ea, v2, a2);
                                            a3 = Vector256.FusedMultiplyAdd(ea, v3, a3);
                                            a4 = Vector256.FusedMultiplyAdd(ea, v4, a4);
                                            b0 = Vector256.FusedMultiplyAdd(eb, v0, b0);
                                            b1 = Vector256.FusedMultiplyAdd(eb, v1, b1);
                                            b2 = Vector256.FusedMultiplyAdd(eb, v2, b2);
                                            b3 = Vector256.FusedMultiplyAdd(eb, v3, b3);
                                            b4 = Vector256.FusedMultiplyAdd(eb, v4, b4);
                                        }
                                    }
                                }

                                int tap = ((channel * kernel) + ky) * kernel;
                                Span<Vector256<float>> sums = [a0, a1, a2, a3, a4, b0, b1, b2, b3, b4];
                                for (int k = 0; k < 2 && o + k < outputs; k++)
                                {
                                    for (int kx = 0; kx < DirectKernel; kx++)
                                    {
                                        destination[((o + k) * taps) + tap + kx] = Vector256.Sum(sums[(k * DirectKernel) + kx]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>im2col: columns[c, (channel, ky, kx), sample * L + oy * W' + ox] = input(c, channel, sample, oy + ky, ox + kx).</summary>
        private void Im2Col(Span<float> input, Layout layout, Shape shape, Span<float> columns) => Unfold(input, layout, shape, columns, gather: true);

        /// <summary>The adjoint of <see cref="Im2Col"/> (col2im): adds each column entry back to the input element it came from (channel-major input).</summary>
        private void Col2Im(Span<float> columns, Shape shape, Span<float> input) => Unfold(input, Layout.ChannelMajor(channels), shape, columns, gather: false);

        /// <summary>Walks every (column row, input row) pair once: copies input rows into columns, or adds columns back into input rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe void Unfold(Span<float> image, Layout layout, Shape shape, Span<float> columns, bool gather)
        {
            int samples = shape.Samples, outHeight = OutputHeight, outWidth = OutputWidth, plane = height * width;
            fixed (float* imageBase = image, columnBase = columns)
            {
                float* row = columnBase;
                for (int c = 0; c < shape.Clients; c++)
                {
                    for (int channel = 0; channel < channels; channel++)
                    {
                        for (int ky = 0; ky < kernel; ky++)
                        {
                            for (int kx = 0; kx < kernel; kx++)
                            {
                                for (int s = 0; s < samples; s++)
                                {
                                    float* pixels = imageBase + (layout.Plane(c, channel, s, samples) * plane) + (ky * width) + kx;
                                    for (int oy = 0; oy < outHeight; oy++, row += outWidth)
                                    {
                                        if (gather)
                                        {
                                            Copy(pixels + (oy * width), row, outWidth);
                                        }
                                        else
                                        {
                                            Add(row, pixels + (oy * width), outWidth);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Adds the bias, then ReLU and 2x2 max-pooling. The winner of a window is the larger of its
        /// two rows' maxima, the upper row on a tie, and within a row the left one on a tie (so the
        /// first maximum in row-major order, as in libtorch); NaN propagates. Four windows at a time,
        /// without branches: the comparisons are coin flips for a branch predictor. Winners are
        /// recorded only when <paramref name="winners"/> is not empty (training).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe void Pool(Span<float> products, Span<float> bias, Layout layout, Shape shape, Span<float> output, Span<int> winners)
        {
            int samples = shape.Samples, outWidth = OutputWidth, pooledHeight = OutputHeight / 2, pooledWidth = outWidth / 2;
            int pooledPlane = pooledHeight * pooledWidth;
            fixed (float* productBase = products, outputBase = output)
            fixed (int* winnerBase = winners)
            {
                for (int c = 0; c < shape.Clients; c++)
                {
                    for (int o = 0; o < outputs; o++)
                    {
                        var b = Vector128.Create(bias[o]);
                        for (int s = 0; s < samples; s++)
                        {
                            float* source = productBase + ((((long)c * outputs + o) * samples + s) * Positions);
                            long target = layout.Plane(c, o, s, samples) * pooledPlane;
                            for (int py = 0; py < pooledHeight; py++)
                            {
                                float* top = source + (2 * py * outWidth);
                                float* pooled = outputBase + target + (py * pooledWidth);
                                int* winner = winnerBase == null ? null : winnerBase + target + (py * pooledWidth);
                                int px = 0;
                                for (; px + 4 <= pooledWidth; px += 4)
                                {
                                    var window = Window.Load(top + (2 * px), outWidth, b);
                                    window.Best().Store(pooled + px);
                                    if (winner != null)
                                    {
                                        window.Winner().Store(winner + px);
                                    }
                                }

                                for (; px < pooledWidth; px++)
                                {
                                    var window = Window.LoadOne(top + (2 * px), outWidth, b);
                                    pooled[px] = window.Best().ToScalar();
                                    if (winner != null)
                                    {
                                        winner[px] = window.Winner().ToScalar();
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Back through pooling and ReLU: each window's gradient goes to its winner if the window
        /// was positive, and 0 to the other three, so every element of <paramref name="products"/> is written.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe void Unpool(Span<float> delta, Span<float> pooled, Span<int> winners, Layout layout, Shape shape, Span<float> products)
        {
            int samples = shape.Samples, outWidth = OutputWidth, pooledHeight = OutputHeight / 2, pooledWidth = outWidth / 2;
            int pooledPlane = pooledHeight * pooledWidth;
            fixed (float* deltaBase = delta, pooledBase = pooled, productBase = products)
            fixed (int* winnerBase = winners)
            {
                for (int c = 0; c < shape.Clients; c++)
                {
                    for (int o = 0; o < outputs; o++)
                    {
                        for (int s = 0; s < samples; s++)
                        {
                            float* plane = productBase + ((((long)c * outputs + o) * samples + s) * Positions);
                            long source = layout.Plane(c, o, s, samples) * pooledPlane;
                            for (int py = 0; py < pooledHeight; py++)
                            {
                                long at = source + (py * pooledWidth);
                                float* top = plane + (2 * py * outWidth);
                                int px = 0;
                                for (; px + 4 <= pooledWidth; px += 4)
                                {
                                    Window.Scatter(
                                        Vector128.Load(deltaBase + at + px), Vector128.Load(pooledBase + at + px), Vector128.Load(winnerBase + at + px), top + (2 * px), outWidth);
                                }

                                for (; px < pooledWidth; px++)
                                {
                                    Window.ScatterOne(deltaBase[at + px], pooledBase[at + px], winnerBase[at + px], top + (2 * px), outWidth);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Four neighbouring 2x2 windows, one per lane: v0 upper left, v1 upper right, v2 lower left,
    /// v3 lower right, bias added.
    /// </summary>
    private readonly record struct Window(Vector128<float> V0, Vector128<float> V1, Vector128<float> V2, Vector128<float> V3)
    {
        /// <summary>Windows px..px+3 of a row pair starting at <paramref name="top"/> (8 values of each row).</summary>
        public static unsafe Window Load(float* top, int width, Vector128<float> bias)
        {
            var (upperLeft, upperRight) = Deinterleave(Vector128.Load(top), Vector128.Load(top + 4));
            var (lowerLeft, lowerRight) = Deinterleave(Vector128.Load(top + width), Vector128.Load(top + width + 4));
            return new Window(upperLeft + bias, upperRight + bias, lowerLeft + bias, lowerRight + bias);
        }

        /// <summary>One window, in lane 0.</summary>
        public static unsafe Window LoadOne(float* top, int width, Vector128<float> bias) =>
            new(Vector128.CreateScalar(top[0]) + bias, Vector128.CreateScalar(top[1]) + bias, Vector128.CreateScalar(top[width]) + bias, Vector128.CreateScalar(top[width + 1]) + bias);

        /// <summary>max(0, window maximum); NaN stays NaN.</summary>
        public Vector128<float> Best() => Vector128.Max(Vector128.Max(Vector128.Max(V0, V1), Vector128.Max(V2, V3)), Vector128<float>.Zero);

        /// <summary>0..3: which element is the maximum.</summary>
        public Vector128<int> Winner()
        {
            var one = Vector128.Create(1);
            var upperIndex = Vector128.GreaterThan(V1, V0).AsInt32() & one;
            var lowerIndex = (Vector128.GreaterThan(V3, V2).AsInt32() & one) + Vector128.Create(2);
            var lowerWins = Vector128.GreaterThan(Vector128.Max(V2, V3), Vector128.Max(V0, V1)).AsInt32();
            return Vector128.ConditionalSelect(lowerWins, lowerIndex, upperIndex);
        }

        /// <summary>Writes four windows' gradients (0 where the window was not positive) to their winners, 0 elsewhere.</summary>
        public static unsafe void Scatter(Vector128<float> gradient, Vector128<float> pooled, Vector128<int> winner, float* top, int width)
        {
            var passed = gradient & Vector128.GreaterThan(pooled, Vector128<float>.Zero);
            var upperLeft = passed & Vector128.Equals(winner, Vector128<int>.Zero).AsSingle();
            var upperRight = passed & Vector128.Equals(winner, Vector128.Create(1)).AsSingle();
            var lowerLeft = passed & Vector128.Equals(winner, Vector128.Create(2)).AsSingle();
            var lowerRight = passed & Vector128.Equals(winner, Vector128.Create(3)).AsSingle();
            Interleave(upperLeft, upperRight, top);
            Interleave(lowerLeft, lowerRight, top + width);
        }

        /// <summary>One window's version of <see cref="Scatter"/>.</summary>
        public static unsafe void ScatterOne(float gradient, float pooled, int winner, float* top, int width)
        {
            float passed = pooled > 0 ? gradient : 0;
            top[0] = winner == 0 ? passed : 0;
            top[1] = winner == 1 ? passed : 0;
            top[width] = winner == 2 ? passed : 0;
            top[width + 1] = winner == 3 ? passed : 0;
        }

        private static (Vector128<float> Even, Vector128<float> Odd) Deinterleave(Vector128<float> low, Vector128<float> high) =>
            System.Runtime.Intrinsics.X86.Sse.IsSupported
                ? (System.Runtime.Intrinsics.X86.Sse.Shuffle(low, high, 0b10_00_10_00), System.Runtime.Intrinsics.X86.Sse.Shuffle(low, high, 0b11_01_11_01))
                : (Vector128.Create(low[0], low[2], high[0], high[2]), Vector128.Create(low[1], low[3], high[1], high[3]));

        private static unsafe void Interleave(Vector128<float> even, Vector128<float> odd, float* target)
        {
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            {
                System.Runtime.Intrinsics.X86.Sse.UnpackLow(even, odd).Store(target);
                System.Runtime.Intrinsics.X86.Sse.UnpackHigh(even, odd).Store(target + 4);
                return;
            }

            for (int k = 0; k < 4; k++)
            {
                target[2 * k] = even[k];
                target[(2 * k) + 1] = odd[k];
            }
        }
    }

    /// <summary>A linear layer, optionally followed by ReLU.</summary>
    private sealed class LinearLayer(int offset, int inputs, int outputs, bool relu)
    {
        public int Outputs => outputs;

        public bool Relu => relu;

        public int ParameterCount => (outputs * inputs) + outputs;

        public Tensor Forward(Tensor theta, Tensor x, Shape shape, Buffers buffers)
        {
            var flat = x.view(shape.Clients, shape.Samples, inputs);
            var y = Product(buffers.Get("outputs", offset, [shape.Clients, shape.Samples, outputs]), c => flat[c], _ => Weight(theta).t());
            var values = TensorMemory.Floats(y);
            var bias = TensorMemory.Floats(theta).Slice(offset + (outputs * inputs), outputs);
            for (int row = 0; row < values.Length; row += outputs)
            {
                var slice = values.Slice(row, outputs);
                System.Numerics.Tensors.TensorPrimitives.Add(slice, bias, slice);
                if (relu)
                {
                    System.Numerics.Tensors.TensorPrimitives.Max(slice, 0f, slice);
                }
            }

            return y;
        }

        /// <summary>Back through the layer: writes the parameter gradients and returns the input's gradient (null unless <paramref name="needInput"/>).</summary>
        public Tensor? Backward(Tensor theta, Tensor input, Tensor delta, Shape shape, GradientRows gradients, bool needInput, Buffers buffers)
        {
            int clients = shape.Clients, samples = shape.Samples;
            var x = input.view(clients, samples, inputs);
            var deltas = TensorMemory.Floats(delta);
            int weightSize = outputs * inputs;
            for (int c = 0; c < clients; c++)
            {
                // The weight gradient straight into the client's row when it lives in an array (a
                // trainer's output: the server's round matrix or a pooled payload), else through a
                // buffer: 1.6 MB not copied per cnn_mnist gradient.
                var destination = gradients[c].Slice(offset, ParameterCount);
                using (var scope = NewDisposeScope())
                {
                    var direct = gradients.TensorOver(c, offset, outputs, inputs);
                    var product = (direct ?? buffers.Get("weight-gradient", offset, [outputs, inputs])).addmm_(delta[c].t(), x[c], beta: 0, alpha: 1);
                    if (direct is null)
                    {
                        TensorMemory.Floats(product).CopyTo(destination);
                    }
                }

                var biasGradient = destination.Slice(weightSize, outputs);
                biasGradient.Clear();
                for (int s = 0; s < samples; s++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(biasGradient, deltas.Slice(((c * samples) + s) * outputs, outputs), biasGradient);
                }
            }

            if (!needInput)
            {
                return null;
            }

            var inputGradient = Product(buffers.Get("input-gradient", offset, [clients, samples, inputs]), c => delta[c], _ => Weight(theta));

            // The layer before is a ReLU (a hidden linear layer's, or the last pooling's): no gradient where its output was 0.
            MaskByActivation(TensorMemory.Floats(inputGradient), TensorMemory.Floats(x));
            return inputGradient;
        }

        private Tensor Weight(Tensor theta) => theta.narrow(0, offset, (long)outputs * inputs).view(outputs, inputs);
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

    /// <summary>Mean cross-entropy (or squared error) per client and its gradient with respect to the outputs.</summary>
    private static class OutputLoss
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Compute(Span<float> outputs, Tensor targets, bool regression, Shape shape, int width, Span<float> delta, Span<float> losses)
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

            var labels = targets.data<long>().ToArray();
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

                    int label = (int)labels[row];
                    total += MathF.Log(sum) - (logits[label] - max);
                    for (int k = 0; k < width; k++)
                    {
                        gradient[k] = gradient[k] / sum * scale;
                    }

                    gradient[label] -= scale;
                }

                losses[c] = (float)(total / samples);
            }
        }
    }

    /// <summary>
    /// destination[c] = left(c) x right(c) for every client c, written in place (libtorch's bmm has
    /// no in-place form in TorchSharp). One MKL product per client: a client's result cannot
    /// depend on how many clients share the pass.
    /// </summary>
    private static Tensor Product(Tensor destination, Func<int, Tensor> left, Func<int, Tensor> right)
    {
        for (int c = 0; c < destination.shape[0]; c++)
        {
            using var scope = NewDisposeScope();
            destination[c].addmm_(left(c), right(c), beta: 0, alpha: 1);
        }

        return destination;
    }

    /// <summary>A sum in an order fixed by the length alone (eight running lanes, then the tail), never by the address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(ReadOnlySpan<float> values)
    {
        var lanes = System.Runtime.Intrinsics.Vector256<float>.Zero;
        int k = 0;
        for (; k + 8 <= values.Length; k += 8)
        {
            lanes += System.Runtime.Intrinsics.Vector256.Create(values.Slice(k, 8));
        }

        float total = System.Runtime.Intrinsics.Vector256.Sum(lanes);
        for (; k < values.Length; k++)
        {
            total += values[k];
        }

        return total;
    }

    /// <summary><paramref name="gradient"/> where <paramref name="activation"/> &gt; 0, else 0, without a branch.</summary>
    private static float PassIfPositive(float gradient, float activation) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(gradient) & -(activation > 0 ? 1 : 0));

    /// <summary>ReLU's backward: zeroes the gradient wherever the activation is not positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskByActivation(Span<float> gradient, ReadOnlySpan<float> activation)
    {
        int k = 0;
        for (; k + 8 <= gradient.Length; k += 8)
        {
            var g = System.Runtime.Intrinsics.Vector256.Create(gradient.Slice(k, 8));
            var positive = System.Runtime.Intrinsics.Vector256.GreaterThan(System.Runtime.Intrinsics.Vector256.Create(activation.Slice(k, 8)), System.Runtime.Intrinsics.Vector256<float>.Zero);
            (g & positive).StoreUnsafe(ref gradient[k]);
        }

        for (; k < gradient.Length; k++)
        {
            gradient[k] = PassIfPositive(gradient[k], activation[k]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* from, float* to, int count)
    {
        int k = 0;
        for (; k + 8 <= count; k += 8)
        {
            System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(from + k), to + k);
        }

        for (; k < count; k++)
        {
            to[k] = from[k];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add(float* from, float* to, int count)
    {
        int k = 0;
        for (; k + 8 <= count; k += 8)
        {
            System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(to + k) + System.Runtime.Intrinsics.Vector256.Load(from + k), to + k);
        }

        for (; k < count; k++)
        {
            to[k] += from[k];
        }
    }
}
