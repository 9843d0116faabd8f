using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

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
/// <para>
/// The parts, a file each in this folder: topology detection (<c>StackedNetwork.Topology.cs</c>);
/// <see cref="ConvolutionBlock"/>, a partial class whose files hold im2col and col2im, pooling
/// (with <see cref="Window"/>), the 256-bit direct weight gradient, and the 512-bit direct passes
/// for training and evaluation with their shared window kernel; <see cref="LinearLayer"/>, whose
/// per-client products go through <see cref="Gemm"/>;
/// <see cref="OutputLoss"/>; and what a pass keeps (<see cref="Buffers"/>, <see cref="Layout"/>).
/// </para>
/// </summary>
internal sealed partial class StackedNetwork
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

    /// <summary>d: the length of the flat parameter vector, each layer's weights then its bias, in module order.</summary>
    public int ParameterCount { get; }

    /// <summary>
    /// Most clients in one pass. With convolutions, one: a client's activations and im2col
    /// columns already take about 8 MB for cnn_mnist, each product is per client anyway, and
    /// stacking more only pushes the working set out of the caches (two trainers share the L3
    /// cache). Without, all: small MLPs gain most from sharing a pass. Measurements:
    /// docs/PERFORMANCE.md.
    /// </summary>
    public int ClientsPerPass => _convolutions.IsEmpty ? int.MaxValue : 1;

    /// <summary>
    /// Samples per evaluation batch: as many as keep a batch's activations near a megabyte of
    /// floats (cache-sized), from 25 to 1000. Through im2col, cnn_mnist gets 25 (its fastest); a
    /// small MLP gets 1000, where the fixed cost of a batch dominates. Convolutions evaluated
    /// directly write only their last block's output per sample, so cnn_mnist then gets 800 (a
    /// small batch makes the first linear layer's product small and slow). Measurements:
    /// docs/PERFORMANCE.md.
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
    /// <para>
    /// With <paramref name="each"/> (one entry per client), client c is at <paramref name="each"/>[c]
    /// instead (peers, each at its own model): every distinct set is loaded as a row of its own
    /// and each client's products read their row, so a client's bits are still those it gets
    /// alone. Convolution blocks take one set per pass (<see cref="ClientsPerPass"/> is one there).
    /// </para>
    /// </summary>
    public void Gradients(
        ReadOnlySpan<float> parameters,
        int clients,
        int samples,
        Tensor inputs,
        Tensor targets,
        bool regression,
        GradientRows gradients,
        Span<float> losses,
        object? parametersIdentity = null,
        IReadOnlyList<ReadOnlyMemory<float>>? each = null,
        double labelSmoothing = 0)
    {
        using var scope = NewDisposeScope();
        Thetas thetas;
        if (each is not null)
        {
            thetas = LoadEach(each, clients);
        }
        else
        {
            if (parametersIdentity is null || !ReferenceEquals(parametersIdentity, _loadedIdentity))
            {
                Load(parameters);
                _loadedIdentity = parametersIdentity;
            }

            thetas = Thetas.Shared(Theta);
        }

        var shape = new Shape(clients, samples);
        var convolutionState = new ConvolutionBlock.Saved[_convolutions.Length];
        var linearInputs = new Tensor[_linears.Length];
        var x = Forward(thetas, inputs, shape, convolutionState, linearInputs);

        // Loss and its gradient with respect to the outputs.
        var delta = _buffers.Get("loss", 0, x.shape);
        OutputLoss.Compute(TensorMemory.Floats(x), targets, regression, shape, (int)x.shape[2], TensorMemory.Floats(delta), losses, labelSmoothing);

        // Backward, layer by layer, writing each client's parameter gradients.
        for (int i = _linears.Length - 1; i >= 0; i--)
        {
            bool needInput = i > 0 || _convolutions.Length > 0;
            delta = _linears[i].Backward(thetas, linearInputs[i], delta, shape, gradients, needInput, _buffers)!;
        }

        for (int i = _convolutions.Length - 1; i >= 0; i--)
        {
            delta = _convolutions[i].Backward(thetas.Single, convolutionState[i], delta, OutputLayout(i), shape, gradients, i > 0, _buffers)!;
        }
    }

    /// <summary>
    /// Loads the distinct sets among <paramref name="each"/>'s first <paramref name="clients"/>
    /// entries (the same memory is one set) as rows of the theta buffer; the first row is then
    /// what <see cref="Theta"/> sees, so the shared-parameter cache is invalidated.
    /// </summary>
    private Thetas LoadEach(IReadOnlyList<ReadOnlyMemory<float>> each, int clients)
    {
        var sets = new List<ReadOnlyMemory<float>>();
        var slotOf = new int[clients];
        for (int c = 0; c < clients; c++)
        {
            int slot = sets.FindIndex(m => m.Equals(each[c]));
            if (slot < 0)
            {
                slot = sets.Count;
                sets.Add(each[c]);
            }

            slotOf[c] = slot;
        }

        var rows = _buffers.Get("theta", 0, [sets.Count, ParameterCount]);
        var values = TensorMemory.Floats(rows);
        for (int slot = 0; slot < sets.Count; slot++)
        {
            sets[slot].Span.CopyTo(values.Slice(slot * ParameterCount, ParameterCount));
        }

        _preparedForEvaluation = false;
        _loadedIdentity = null;
        return Thetas.PerClient(rows, slotOf);
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

        return Forward(Thetas.Shared(Theta), inputs, new Shape(1, samples), null, null).view(samples, -1);
    }

    /// <summary>The loaded parameters.</summary>
    private Tensor Theta => _buffers.Get("theta", 0, [ParameterCount]);

    /// <summary>
    /// The forward pass: the outputs as [clients, samples, outputs]. For training, pass the arrays
    /// that receive what the backward pass needs (each convolution block's state, each linear
    /// layer's input); for evaluation, null (pooling then skips its winners).
    /// </summary>
    private Tensor Forward(Thetas thetas, Tensor inputs, Shape shape, ConvolutionBlock.Saved[]? convolutionState, Tensor[]? linearInputs)
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
                var saved = _convolutions[i].Forward(thetas.Single, x, layout, OutputLayout(i), shape, _buffers, training: convolutionState is not null);
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

            x = _linears[i].Forward(thetas, x, shape, _buffers);
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
}
