using ByzantineSim.Attacks.Poisoning;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training;

/// <summary>
/// Owns one TorchSharp module and computes with it as a pure function of (parameters, batch):
/// the parameters are loaded from a flat float vector before every computation, and gradients
/// are copied back out, so tensors never leave this class. One runner serves one thread at a
/// time; a trainer pool holds several.
/// </summary>
public sealed partial class ModelRunner : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly TorchSharp.Modules.Parameter[] _parameters;
    private readonly long[] _inputShape;
    private readonly int _featureCount;
    private readonly Stacked.StackedNetwork? _stacked;
    private readonly IModelDefinition _model;
    private readonly Device? _device;

    /// <summary>Builds the module for data of <paramref name="inputShape"/> and <paramref name="classes"/> classes.</summary>
    /// <param name="model">The architecture.</param>
    /// <param name="inputShape">Shape of one sample.</param>
    /// <param name="classes">Output width.</param>
    /// <param name="stacked">
    /// Compute gradients with <see cref="Stacked.StackedNetwork"/> when the model allows it (the default);
    /// false always uses the module and libtorch's autograd, the reference the tests compare with.
    /// </param>
    public ModelRunner(IModelDefinition model, ImmutableArray<int> inputShape, int classes, bool stacked = true)
        : this(model, inputShape, classes, stacked, wideKernels: true)
    {
    }

    /// <summary>
    /// A runner on <paramref name="device"/>: on CUDA the module, inputs and targets live on the
    /// GPU (parameters go in and gradients come out through host memory), always through the
    /// module and autograd; on the CPU as the other constructor.
    /// </summary>
    public ModelRunner(IModelDefinition model, ImmutableArray<int> inputShape, int classes, ComputeDevice device)
        : this(model, inputShape, classes, stacked: device == ComputeDevice.Cpu, wideKernels: true, device)
    {
    }

    /// <summary>
    /// As the public constructor; <paramref name="wideKernels"/> false keeps the stacked network
    /// off its 512-bit convolution kernels, as on a machine without them (for tests).
    /// </summary>
    internal ModelRunner(IModelDefinition model, ImmutableArray<int> inputShape, int classes, bool stacked, bool wideKernels, ComputeDevice device = ComputeDevice.Cpu)
    {
        TorchRuntime.EnsureInitialised();
        _model = model;
        _module = model.Build(inputShape, classes);
        if (device == ComputeDevice.Cuda)
        {
            _device = TorchRuntime.CudaDevice();
            _module.to(_device);
        }

        _parameters = [.. _module.parameters()];
        _statistics = RunningStatistics(_module);
        StatisticsCount = checked((int)_statistics.Sum(b => b.Buffer.numel()));
        _inputShape = [.. inputShape.Select(x => (long)x)];
        _featureCount = ModelParameters.FeatureCount(inputShape);
        ParameterCount = ModelParameters.Count(_module);
        _stacked = stacked && _device is null ? Stacked.StackedNetwork.TryCreate(_module, _inputShape, wideKernels) : null;
    }

    /// <summary>The dimension d of the flat parameter vector.</summary>
    public int ParameterCount { get; }

    /// <summary>A deterministic initial parameter vector.</summary>
    public float[] InitialParameters(ulong seed) => _model.InitialParameters(_module, seed);

    /// <summary>
    /// The mean cross-entropy gradient at <paramref name="parameters"/> over the samples
    /// <paramref name="batch"/> of <paramref name="data"/>, written into <paramref name="gradient"/>;
    /// the batch is poisoned by <paramref name="poisoning"/> when given. Returns the loss.
    /// The same bits as the client's gradient from <c>ComputeGradients</c> with any other clients.
    /// </summary>
    public float ComputeGradient(
        ReadOnlySpan<float> parameters,
        Dataset data,
        ReadOnlySpan<int> batch,
        DataPoisoning? poisoning,
        Span<float> gradient,
        IReadOnlyDictionary<int, int>? relabel = null,
        object? parametersIdentity = null)
    {
        return ComputeGradient(parameters, data, new ClientBatch([.. batch], poisoning, relabel), gradient, parametersIdentity);
    }

    /// <summary>The gradient of one client's <paramref name="batch"/> (with its labels and augmentation); returns the loss.</summary>
    private float ComputeGradient(ReadOnlySpan<float> parameters, Dataset data, ClientBatch batch, Span<float> gradient, object? parametersIdentity = null)
    {
        CheckLength(parameters, nameof(parameters));
        CheckLength(gradient, nameof(gradient));
        Span<float> loss = stackalloc float[1];
        Gradients(parameters, data, [batch], new GradientRows(gradient, ParameterCount), loss, parametersIdentity);
        return loss[0];
    }

    /// <summary>
    /// The minibatch gradients of several clients at the same <paramref name="parameters"/>, in
    /// one pass when the model allows it (see <see cref="Stacked.StackedNetwork"/>): client k's gradient
    /// goes to <paramref name="gradients"/>[k d, (k + 1) d) and its loss to
    /// <paramref name="losses"/>[k]. Each client's result is bitwise the one it would get alone.
    /// Every batch must have the same number of samples and the same label smoothing.
    /// </summary>
    public void ComputeGradients(
        ReadOnlySpan<float> parameters, Dataset data, IReadOnlyList<ClientBatch> clients, Span<float> gradients, Span<float> losses)
    {
        CheckTogether(parameters, clients, gradients.Length == (long)clients.Count * ParameterCount, losses);
        Gradients(parameters, data, clients, new GradientRows(gradients, ParameterCount), losses);
    }

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{float}, Dataset, IReadOnlyList{ClientBatch}, Span{float}, Span{float})"/>
    /// writing client k's gradient straight into <paramref name="gradients"/>[k] (d values each).
    /// </summary>
    public void ComputeGradients(
        ReadOnlySpan<float> parameters, Dataset data, IReadOnlyList<ClientBatch> clients, IReadOnlyList<Memory<float>> gradients, Span<float> losses, object? parametersIdentity = null)
    {
        CheckTogether(parameters, clients, gradients.Count == clients.Count && gradients.All(g => g.Length == ParameterCount), losses);
        Gradients(parameters, data, clients, new GradientRows(gradients, ParameterCount), losses, parametersIdentity);
    }

    /// <summary>
    /// The D-SGD updates of several clients at the same <paramref name="parameters"/>, in one
    /// pass: each client's (clipped) minibatch gradient, written into <paramref name="updates"/>,
    /// bitwise what <see cref="Run"/> gives it alone. Every work must be
    /// <see cref="LocalMode.Gradient"/> with batches of one size. Returns one loss per client.
    /// </summary>
    public float[] RunTogether(ReadOnlySpan<float> parameters, Dataset data, IReadOnlyList<LocalWork> works, IReadOnlyList<Memory<float>> updates, object? parametersIdentity = null) =>
        ClippedGradients(parameters, null, data, works, updates, parametersIdentity);

    /// <summary>
    /// <see cref="RunTogether"/> with client k at its own <paramref name="parameters"/>[k] (peers
    /// in a peer-to-peer round, each at its own model): in one pass where the model stacks clients,
    /// each client's products reading its own parameters, so every update has the bits
    /// <see cref="Run"/> gives it alone. Entries over the same memory are loaded once.
    /// </summary>
    public float[] RunEach(IReadOnlyList<ReadOnlyMemory<float>> parameters, Dataset data, IReadOnlyList<LocalWork> works, IReadOnlyList<Memory<float>> updates)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count != works.Count || parameters.Any(p => p.Length != ParameterCount))
        {
            throw new ArgumentException($"expected {works.Count} parameter sets of {ParameterCount} values", nameof(parameters));
        }

        return works.Count == 0 ? [] : ClippedGradients(parameters[0].Span, parameters, data, works, updates);
    }

    // RunTogether and RunEach: the D-SGD works' gradients (at parameters, or at each[k]), clipped per work.
    private float[] ClippedGradients(
        ReadOnlySpan<float> parameters, IReadOnlyList<ReadOnlyMemory<float>>? each, Dataset data, IReadOnlyList<LocalWork> works, IReadOnlyList<Memory<float>> updates, object? parametersIdentity = null)
    {
        if (works.Any(w => w.Mode != LocalMode.Gradient))
        {
            throw new ArgumentException("only D-SGD gradients are computed together", nameof(works));
        }

        var clients = works.Select(ClientBatch.Of).ToList();
        var losses = new float[works.Count];
        CheckTogether(parameters, clients, updates.Count == clients.Count && updates.All(g => g.Length == ParameterCount), losses);
        Gradients(parameters, data, clients, new GradientRows(updates, ParameterCount), losses, parametersIdentity, each);
        for (int c = 0; c < works.Count; c++)
        {
            UpdateClipping.ClipToNorm(updates[c].Span, works[c].ClipNorm);
        }

        return losses;
    }

    /// <summary>True when several clients' gradients are computed in one pass (otherwise one after the other).</summary>
    public bool Stacks => _stacked is not null;

    /// <summary>Most clients whose gradients share a pass (1 when they are computed one after the other).</summary>
    public int ClientsPerPass => _stacked?.ClientsPerPass ?? 1;

    // Client c's gradient at parameters, or at each[c] when each is given.
    private void Gradients(
        ReadOnlySpan<float> parameters, Dataset data, IReadOnlyList<ClientBatch> clients, GradientRows gradients, Span<float> losses, object? parametersIdentity = null, IReadOnlyList<ReadOnlyMemory<float>>? each = null)
    {
        TorchRuntime.EnsureInitialised();
        using var scope = NewDisposeScope();
        if (_stacked is not null)
        {
            int samples = clients[0].Samples.Length;
            for (int first = 0; first < clients.Count; first += _stacked.ClientsPerPass)
            {
                using var passScope = NewDisposeScope();
                int count = Math.Min(_stacked.ClientsPerPass, clients.Count - first);
                var (inputs, targets) = MakeBatch(data, clients.Skip(first).Take(count).ToList());
                var passEach = each is null ? null : (first == 0 ? each : each.Skip(first).ToList());
                _stacked.Gradients(parameters, count, samples, inputs, targets, data.IsRegression, gradients.Slice(first), losses.Slice(first, count), parametersIdentity, passEach, clients[first].LabelSmoothing);
            }

            return;
        }

        // Modules the stacked form does not know: one client at a time through the module.
        if (each is null)
        {
            LoadParameters(parameters);
        }

        _module.train();
        for (int c = 0; c < clients.Count; c++)
        {
            using var clientScope = NewDisposeScope();
            if (each is not null && (c == 0 || !each[c].Equals(each[c - 1])))
            {
                LoadParameters(each[c].Span);
            }

            _module.zero_grad();
            var (inputs, targets) = MakeBatch(data, [clients[c]]);
            var loss = Loss(_module.forward(inputs), targets, data.IsRegression, nn.Reduction.Mean, clients[c].LabelSmoothing);
            loss.backward();
            int offset = 0;
            foreach (var parameter in _parameters)
            {
                var span = TensorMemory.Floats(_device is null ? parameter.grad! : parameter.grad!.cpu());
                span.CopyTo(gradients[c].Slice(offset, span.Length));
                offset += span.Length;
            }

            losses[c] = loss.item<float>();
        }
    }

    /// <summary>
    /// Runs a client's local work at <paramref name="parameters"/> and writes its update:
    /// for <see cref="LocalMode.Gradient"/> the (clipped) minibatch gradient of the first batch
    /// (D-SGD); for <see cref="LocalMode.LocalSteps"/> one SGD step per batch from the given
    /// parameters and the pseudo-gradient theta - theta_local (FedAvg's model delta with the sign
    /// of a gradient, so the server's step applies it). Returns the mean minibatch loss.
    /// <paramref name="parametersIdentity"/>, when given, is an immutable object standing for the
    /// parameters' values (their payload): a D-SGD gradient at the same one as the previous call
    /// skips copying them into the model again.
    /// </summary>
    public double Run(ReadOnlySpan<float> parameters, Dataset data, LocalWork work, Span<float> update, object? parametersIdentity = null)
    {
        CheckLength(update, nameof(update));

        if (work.Mode == LocalMode.Gradient)
        {
            double loss = ComputeGradient(parameters, data, work.BatchAt(0), update, parametersIdentity);
            UpdateClipping.ClipToNorm(update, work.ClipNorm);
            return loss;
        }

        var local = parameters.ToArray();
        var gradient = new float[ParameterCount];
        double total = 0;
        for (int step = 0; step < work.Batches.Length; step++)
        {
            total += ComputeGradient(local, data, work.BatchAt(step), gradient);
            UpdateClipping.ClipToNorm(gradient, work.ClipNorm);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, (float)-work.LearningRate, local, local);
        }

        System.Numerics.Tensors.TensorPrimitives.Subtract(parameters, local, update);
        return total / work.Batches.Length;
    }

    /// <summary>Evaluation batch size when none is given: the model's own (see <see cref="Stacked.StackedNetwork.EvaluationBatch"/>).</summary>
    public const int DefaultEvaluationBatch = 0;

    /// <summary>Evaluation batch of a model the stacked form does not handle: inside the range that evaluated cnn_mnist fastest through the module (docs/PERFORMANCE.md).</summary>
    private const int ModuleEvaluationBatch = 100;

    /// <summary>
    /// Accuracy and mean loss of <paramref name="parameters"/> on all of <paramref name="data"/>;
    /// <paramref name="statistics"/> as for <see cref="EvaluateRange"/>.
    /// </summary>
    public Evaluation Evaluate(ReadOnlySpan<float> parameters, Dataset data, int batchSize = DefaultEvaluationBatch, ReadOnlySpan<float> statistics = default) =>
        EvaluateRange(parameters, data, 0, data.Count, batchSize, statistics).ToEvaluation(data.IsRegression);

    /// <summary>
    /// Summed loss and correct count of <paramref name="parameters"/> on samples
    /// [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of
    /// <paramref name="data"/>: a part of an evaluation that several trainers share.
    /// </summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="data">The evaluation set.</param>
    /// <param name="start">First sample.</param>
    /// <param name="count">Samples.</param>
    /// <param name="batchSize">Samples per forward pass (<see cref="DefaultEvaluationBatch"/>: the model's own).</param>
    /// <param name="statistics">
    /// The global model's batch-norm running statistics, for a model whose statistics are
    /// <see cref="BatchNormMode.Aggregated"/> (<see cref="StatisticsCount"/> values); empty otherwise.
    /// </param>
    public EvaluationSums EvaluateRange(ReadOnlySpan<float> parameters, Dataset data, int start, int count, int batchSize = DefaultEvaluationBatch, ReadOnlySpan<float> statistics = default)
    {
        CheckLength(parameters, nameof(parameters));
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, data.Count - start);
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        if (batchSize == DefaultEvaluationBatch)
        {
            batchSize = _stacked?.EvaluationBatch ?? ModuleEvaluationBatch;
        }

        TorchRuntime.EnsureInitialised();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (_stacked is not null)
        {
            return EvaluateStacked(parameters, data, start, count, batchSize);
        }

        LoadParameters(parameters);
        PrepareEvaluation(statistics);
        double lossSum = 0;
        long correct = 0;
        var indices = new int[Math.Min(batchSize, count)];
        for (int offset = 0; offset < count; offset += batchSize)
        {
            int size = Math.Min(batchSize, count - offset);
            for (int k = 0; k < size; k++)
            {
                indices[k] = start + offset + k;
            }

            using var batchScope = NewDisposeScope();
            var (inputs, targets) = MakeBatch(data, indices.AsSpan(0, size));
            var outputs = _module.forward(inputs);
            lossSum += Loss(outputs, targets, data.IsRegression, nn.Reduction.Sum).item<float>();
            if (!data.IsRegression)
            {
                correct += outputs.argmax(1).eq(targets).sum().item<long>();
            }
        }

        return new EvaluationSums(lossSum, correct, count);
    }

    /// <summary>
    /// <see cref="EvaluateRange"/> through <see cref="Stacked.StackedNetwork"/>, scoring the outputs here
    /// instead of with five libtorch calls per batch, whose overhead is large at small batches.
    /// </summary>
    private EvaluationSums EvaluateStacked(ReadOnlySpan<float> parameters, Dataset data, int start, int count, int batchSize)
    {
        _stacked!.Load(parameters);
        var sums = new EvaluationSums(0, 0, 0);
        for (int offset = 0; offset < count; offset += batchSize)
        {
            int size = Math.Min(batchSize, count - offset);
            using var batchScope = NewDisposeScope();
            var inputs = empty([size, .. _inputShape], ScalarType.Float32);
            var features = TensorMemory.Floats(inputs);
            for (int k = 0; k < size; k++)
            {
                data.CopyFeatures(start + offset + k, features.Slice(k * _featureCount, _featureCount));
            }

            sums = sums.Add(Stacked.OutputLoss.Score(TensorMemory.Floats(_stacked.Outputs(inputs, size)), data, start + offset, size));
        }

        return sums;
    }

    /// <inheritdoc />
    public void Dispose() => _module.Dispose();

    private void LoadParameters(ReadOnlySpan<float> parameters)
    {
        using var noGrad = no_grad();
        int offset = 0;
        foreach (var parameter in _parameters)
        {
            if (_device is not null)
            {
                // Device memory cannot be written from here: stage the values in a host tensor.
                using var host = empty(parameter.shape, ScalarType.Float32);
                var staged = TensorMemory.Floats(host);
                parameters.Slice(offset, staged.Length).CopyTo(staged);
                parameter.copy_(host);
                offset += staged.Length;
                continue;
            }

            var span = TensorMemory.Floats(parameter);
            parameters.Slice(offset, span.Length).CopyTo(span);
            offset += span.Length;
        }
    }

    private (Tensor Inputs, Tensor Targets) MakeBatch(Dataset data, ReadOnlySpan<int> batch) =>
        MakeBatch(data, [new ClientBatch([.. batch], null, null)]);

    /// <summary>The samples of every client, one after the other, as one input and one target tensor on the runner's device.</summary>
    private (Tensor Inputs, Tensor Targets) MakeBatch(Dataset data, IReadOnlyList<ClientBatch> clients)
    {
        var (inputs, targets) = MakeHostBatch(data, clients);
        return _device is null ? (inputs, targets) : (inputs.to(_device), targets.to(_device));
    }

    /// <summary>Cross-entropy (with label smoothing epsilon, 0 for none) for classification, squared error for regression.</summary>
    private static Tensor Loss(Tensor outputs, Tensor targets, bool regression, nn.Reduction reduction, double labelSmoothing = 0) =>
        regression
            ? nn.functional.mse_loss(outputs, targets, reduction)
            : nn.functional.cross_entropy(outputs, targets, reduction: reduction, label_smoothing: labelSmoothing);

    /// <summary>The checks of <see cref="ComputeGradients(ReadOnlySpan{float}, Dataset, IReadOnlyList{ClientBatch}, Span{float}, Span{float})"/> and its twin.</summary>
    private void CheckTogether(ReadOnlySpan<float> parameters, IReadOnlyList<ClientBatch> clients, bool gradientsFit, Span<float> losses)
    {
        CheckLength(parameters, nameof(parameters));
        if (!gradientsFit || losses.Length != clients.Count)
        {
            throw new ArgumentException($"expected {clients.Count} gradients of {ParameterCount} values and {clients.Count} losses");
        }

        if (clients.Any(c => c.Samples.Length != clients[0].Samples.Length))
        {
            throw new ArgumentException("clients computed together need batches of one size", nameof(clients));
        }

        // A stacked pass computes one loss for all its clients (the trainer pool groups only such works).
        if (clients.Any(c => c.LabelSmoothing != clients[0].LabelSmoothing))
        {
            throw new ArgumentException("clients computed together need one label smoothing", nameof(clients));
        }
    }

    private void CheckLength(ReadOnlySpan<float> values, string name)
    {
        if (values.Length != ParameterCount)
        {
            throw new ArgumentException($"expected {ParameterCount} values, got {values.Length}", name);
        }
    }
}

/// <summary>Where each client's gradient goes: consecutive d-value rows of one span, or one memory (an array's part) per client.</summary>
internal readonly ref struct GradientRows
{
    private readonly Span<float> _rows;
    private readonly IReadOnlyList<Memory<float>>? _arrays;
    private readonly int _dimension;
    private readonly int _first;

    /// <summary>Client k's gradient is <paramref name="rows"/>[k d, (k + 1) d).</summary>
    public GradientRows(Span<float> rows, int dimension)
    {
        _rows = rows;
        _dimension = dimension;
    }

    /// <summary>Client k's gradient is <paramref name="arrays"/>[k].</summary>
    public GradientRows(IReadOnlyList<Memory<float>> arrays, int dimension)
    {
        _arrays = arrays;
        _dimension = dimension;
    }

    private GradientRows(Span<float> rows, IReadOnlyList<Memory<float>>? arrays, int dimension, int first)
    {
        _rows = rows;
        _arrays = arrays;
        _dimension = dimension;
        _first = first;
    }

    /// <summary>Client <paramref name="client"/>'s d values.</summary>
    public Span<float> this[int client] => _arrays is null ? _rows.Slice((_first + client) * _dimension, _dimension) : _arrays[_first + client].Span;

    /// <summary>The rows from client <paramref name="first"/> on, renumbered from 0.</summary>
    public GradientRows Slice(int first) => new(_rows, _arrays, _dimension, _first + first);
}
