using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static ByzantineSim.Clients.Training.Stacked.ClientProducts;
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
        var flat = x.view(shape.Clients, shape.Samples, inputs);
        var y = Product(buffers.Get("outputs", offset, [shape.Clients, shape.Samples, outputs]), c => flat[c], c => Weight(thetas.Of(c)).t());
        var values = TensorMemory.Floats(y);
        int rows = shape.Samples * outputs;
        for (int c = 0; c < shape.Clients; c++)
        {
            var bias = TensorMemory.Floats(thetas.Of(c)).Slice(offset + (outputs * inputs), outputs);
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

        var inputGradient = Product(buffers.Get("input-gradient", offset, [clients, samples, inputs]), c => delta[c], c => Weight(thetas.Of(c)));

        // The layer before is a ReLU (a hidden linear layer's, or the last pooling's): no gradient where its output was 0.
        MaskByActivation(TensorMemory.Floats(inputGradient), TensorMemory.Floats(x));
        return inputGradient;
    }

    /// <summary>The layer's weights in <paramref name="theta"/> as [outputs, inputs].</summary>
    private Tensor Weight(Tensor theta) => theta.narrow(0, offset, (long)outputs * inputs).view(outputs, inputs);

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
