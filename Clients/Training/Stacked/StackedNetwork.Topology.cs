using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

// StackedNetwork, topology detection: which modules it can run, and its layers for them.
internal sealed partial class StackedNetwork
{
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

    /// <summary>Whether <paramref name="conv"/> is a valid stride-1 square convolution with a bias, no groups and no dilation.</summary>
    private static bool IsPlain(Conv2d conv) =>
        conv.bias is not null && conv.weight!.shape[2] == conv.weight.shape[3] && conv.groups == 1
        && conv.stride.All(s => s == 1) && conv.dilation.All(d => d == 1)
        && conv.padding is { } padding && padding.All(p => p == 0);

    /// <summary>Whether <paramref name="pool"/> is a 2x2 max-pooling of stride 2 without padding.</summary>
    private static bool IsPlain(MaxPool2d pool) =>
        pool.kernel_size is { } size && size.All(k => k == 2) && (pool.stride is null || pool.stride.All(s => s == 2))
        && (pool.padding is null || pool.padding.All(p => p == 0));
}
