using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>A linear layer, optionally followed by ReLU.</summary>
internal sealed class LinearLayer(int offset, int inputs, int outputs, bool relu)
{
    /// <summary>Output features.</summary>
    public int Outputs => outputs;

    /// <summary>Whether a ReLU follows (every layer but the last).</summary>
    public bool Relu => relu;

    /// <summary>The layer's weights [outputs, inputs], then its biases, from its offset in theta.</summary>
    public int ParameterCount => (outputs * inputs) + outputs;

    /// <summary>x W^T + b for every client's samples (each at its own parameters), then ReLU if it follows: [clients, samples, outputs], a view of a reused buffer.</summary>
    public Tensor Forward(Thetas thetas, Tensor x, Shape shape, Buffers buffers)
    {
        var y = buffers.Get("outputs", offset, [shape.Clients, shape.Samples, outputs]);
        var values = TensorMemory.Floats(y);
        var xs = TensorMemory.Floats(x);
        var xShape = Strided.RowMajor(shape.Samples, inputs);
        var yShape = Strided.RowMajor(shape.Samples, outputs);
        int rows = shape.Samples * outputs;
        for (int c = 0; c < shape.Clients; c++)
        {
            var theta = thetas.Values(c);
            Gemm.Product(Rows(values, c, yShape), yShape, Rows(xs, c, xShape), xShape, Weight(theta), WeightShape.Transposed);
            var bias = theta.Slice(offset + (outputs * inputs), outputs);
            for (int row = c * rows; row < (c + 1) * rows; row += outputs)
            {
                var slice = values.Slice(row, outputs);
                System.Numerics.Tensors.TensorPrimitives.Add(slice, bias, slice);
                if (relu)
                {
                    System.Numerics.Tensors.TensorPrimitives.Max(slice, 0f, slice);
                }
            }
        }

        return y;
    }

    /// <summary>Back through the layer: writes the parameter gradients and returns the input's gradient (null unless <paramref name="needInput"/>).</summary>
    public Tensor? Backward(Thetas thetas, Tensor input, Tensor delta, Shape shape, GradientRows gradients, bool needInput, Buffers buffers)
    {
        int clients = shape.Clients, samples = shape.Samples;
        var xs = TensorMemory.Floats(input);
        var deltas = TensorMemory.Floats(delta);
        var xShape = Strided.RowMajor(samples, inputs);
        var deltaShape = Strided.RowMajor(samples, outputs);
        int weightSize = outputs * inputs;
        for (int c = 0; c < clients; c++)
        {
            // The weight gradient delta^T x straight into the client's row.
            var destination = gradients[c].Slice(offset, ParameterCount);
            Gemm.Product(destination[..weightSize], WeightShape, Rows(deltas, c, deltaShape), deltaShape.Transposed, Rows(xs, c, xShape), xShape);

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

        var inputGradient = buffers.Get("input-gradient", offset, [clients, samples, inputs]);
        var gradientValues = TensorMemory.Floats(inputGradient);
        for (int c = 0; c < clients; c++)
        {
            Gemm.Product(Rows(gradientValues, c, xShape), xShape, Rows(deltas, c, deltaShape), deltaShape, Weight(thetas.Values(c)), WeightShape);
        }

        // The layer before is a ReLU (a hidden linear layer's, or the last pooling's): no gradient where its output was 0.
        MaskByActivation(gradientValues, xs);
        return inputGradient;
    }

    /// <summary>The layer's weights as a matrix: [outputs, inputs], row-major.</summary>
    private Strided WeightShape => Strided.RowMajor(outputs, inputs);

    /// <summary>The layer's weights in a client's parameters <paramref name="theta"/> (<see cref="WeightShape"/>).</summary>
    private Span<float> Weight(Span<float> theta) => theta.Slice(offset, outputs * inputs);

    /// <summary>Client <paramref name="client"/>'s block of <paramref name="values"/>, one <paramref name="shape"/> matrix per client.</summary>
    private static Span<float> Rows(Span<float> values, int client, Strided shape) => values.Slice(client * shape.Rows * shape.Columns, shape.Rows * shape.Columns);

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
}
