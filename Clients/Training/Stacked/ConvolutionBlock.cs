using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static ByzantineSim.Clients.Training.Stacked.ClientProducts;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>
/// Valid stride-1 k x k convolution, then ReLU, then 2x2 max-pooling, through im2col and MKL;
/// the first block of a network forms its weight gradient directly (<see cref="DirectWeightGradient"/>).
/// Where 512-bit vectors are fast, evaluation (<see cref="EvaluateGroup"/>) and the first
/// block's training passes (<see cref="ForwardDirectly"/>, <see cref="BackwardDirectly"/>)
/// put sixteen samples in each vector instead and skip im2col.
/// </summary>
internal sealed partial class ConvolutionBlock(int offset, int channels, int height, int width, int outputs, int kernel, bool first, bool wideKernels)
{
    /// <summary>The kernel size the direct weight gradient is written for (one accumulator per tap of a kernel row).</summary>
    private const int DirectKernel = 5;

    /// <summary>Output channels.</summary>
    public int Outputs => outputs;

    /// <summary>Height of the convolution's output, before pooling.</summary>
    public int OutputHeight => height - kernel + 1;

    /// <summary>Width of the convolution's output, before pooling.</summary>
    public int OutputWidth => width - kernel + 1;

    /// <summary>Weights per output channel: one per input channel and kernel position (a row of im2col's columns).</summary>
    private int Taps => channels * kernel * kernel;

    /// <summary>Output positions of one sample's convolution, before pooling.</summary>
    private int Positions => OutputHeight * OutputWidth;

    /// <summary>The block's weights [outputs, Taps], then its biases, from its offset in theta.</summary>
    public int ParameterCount => (outputs * Taps) + outputs;

    /// <summary>Floats a forward pass through im2col writes per sample: the columns and the products.</summary>
    public long ActivationsPerSample => ((long)Taps + outputs) * Positions;

    /// <summary>
    /// Whether the weight gradient is formed directly (<see cref="DirectWeightGradient"/>): for
    /// the first block it is a product of K = samples x positions (14,400 for cnn_mnist) into a
    /// tiny 20 x 25 result, which MKL runs at a quarter of its speed, so it is formed from the
    /// block's input, two output channels and a kernel row at a time. Needs 5 x 5 kernels (both
    /// built-in networks) and rows of at least 8 outputs. (A training forward pass vectorised
    /// over output positions was no faster than im2col and MKL; the direct passes,
    /// <see cref="EvaluateGroup"/> and <see cref="ForwardDirectly"/>, vectorise over samples.)
    /// </summary>
    private bool Direct => first && kernel == DirectKernel && OutputWidth >= Vector256<float>.Count && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// What the backward pass needs: what the weight gradient reads (the im2col columns, or
    /// <see cref="ForwardDirectly"/>'s input lanes), the block's input, the pooled output and
    /// the winner of each pooling window (for <see cref="ForwardDirectly"/>, in its lanes, -1
    /// where the window did not pass ReLU).
    /// </summary>
    public sealed record Saved(Tensor Columns, Tensor Input, Tensor Output, Tensor Winners);

    /// <summary>
    /// Convolution, bias, ReLU and pooling of every client's samples: the pooled output in
    /// <paramref name="outputLayout"/>, and for <paramref name="training"/> what the backward
    /// pass needs (the first block goes through <see cref="ForwardDirectly"/> where it can).
    /// </summary>
    public Saved Forward(Tensor theta, Tensor input, Layout inputLayout, Layout outputLayout, Shape shape, Buffers buffers, bool training)
    {
        int clients = shape.Clients, samples = shape.Samples;
        if (training && TrainsDirectly)
        {
            return ForwardDirectly(theta, input, outputLayout, shape, buffers);
        }

        int spread = samples * Positions; // a client's columns
        var columns = buffers.Get("columns", offset, [clients, Taps, spread]);
        Im2Col(TensorMemory.Floats(input), inputLayout, shape, TensorMemory.Floats(columns));
        var products = buffers.Get("products", offset, [clients, outputs, spread]);
        Product(
            clients,
            TensorMemory.Floats(products), Strided.RowMajor(outputs, spread),
            Weight(theta), WeightShape, 0,
            TensorMemory.Floats(columns), Strided.RowMajor(Taps, spread), Taps * spread);

        int pooledHeight = OutputHeight / 2, pooledWidth = OutputWidth / 2;
        var output = buffers.Get("pooled", offset, [clients, samples, (long)outputs * pooledHeight * pooledWidth]);
        var winners = buffers.Get("winners", offset, [training ? output.numel() : 0], ScalarType.Int32);
        Pool(TensorMemory.Floats(products), TensorMemory.Floats(theta).Slice(offset + (outputs * Taps), outputs), outputLayout, shape, TensorMemory.Floats(output), training ? TensorMemory.Ints(winners) : []);
        return new Saved(columns, input, output, winners);
    }

    /// <summary>
    /// Back through pooling, ReLU and the convolution: writes each client's weight and bias
    /// gradients and returns the input's gradient (null unless <paramref name="needInput"/>).
    /// </summary>
    public Tensor? Backward(Tensor theta, Saved saved, Tensor delta, Layout outputLayout, Shape shape, GradientRows gradients, bool needInput, Buffers buffers)
    {
        if (TrainsDirectly)
        {
            BackwardDirectly(saved, delta, outputLayout, shape, gradients, buffers);
            return null;
        }

        int clients = shape.Clients, spread = shape.Samples * Positions; // spread: a client's columns

        // Through pooling and ReLU: each window's gradient goes to its winner if the window was positive.
        var products = buffers.Get("products", offset, [clients, outputs, spread]);
        Unpool(TensorMemory.Floats(delta), TensorMemory.Floats(saved.Output), TensorMemory.Ints(saved.Winners), outputLayout, shape, TensorMemory.Floats(products));

        var productValues = TensorMemory.Floats(products);
        int weightSize = outputs * Taps;
        if (Direct)
        {
            DirectWeightGradient(TensorMemory.Floats(saved.Input), productValues, shape, gradients);
        }
        else
        {
            // Each client's weight gradient is written into its gradient row, where it belongs.
            var columns = TensorMemory.Floats(saved.Columns);
            for (int c = 0; c < clients; c++)
            {
                Gemm.Product(
                    gradients[c].Slice(offset, weightSize), WeightShape,
                    productValues[(c * outputs * spread)..], Strided.RowMajor(outputs, spread),
                    columns[(c * Taps * spread)..], Strided.RowMajor(Taps, spread).Transposed);
            }
        }

        for (int c = 0; c < clients; c++)
        {
            var destination = gradients[c].Slice(offset, ParameterCount);
            for (int o = 0; o < outputs; o++)
            {
                destination[weightSize + o] = Sum(productValues.Slice(((c * outputs) + o) * spread, spread));
            }
        }

        if (!needInput)
        {
            return null;
        }

        // The columns' gradient reuses the columns' buffer: the weight gradient above was their last use.
        var columnGradient = TensorMemory.Floats(saved.Columns);
        Product(
            clients,
            columnGradient, Strided.RowMajor(Taps, spread),
            Weight(theta), WeightShape.Transposed, 0,
            productValues, Strided.RowMajor(outputs, spread), outputs * spread);
        var inputGradient = buffers.Get("input-gradient", offset, [clients, (long)shape.Samples * channels * height * width]).zero_();
        Col2Im(columnGradient, shape, TensorMemory.Floats(inputGradient));
        return inputGradient;
    }

    /// <summary>The block's weights in <paramref name="theta"/>, [outputs, Taps] row-major (<see cref="WeightShape"/>).</summary>
    private ReadOnlySpan<float> Weight(Tensor theta) => TensorMemory.Floats(theta).Slice(offset, outputs * Taps);

    /// <summary>How the weights lie: [outputs, Taps], row-major.</summary>
    private Strided WeightShape => Strided.RowMajor(outputs, Taps);

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
}
