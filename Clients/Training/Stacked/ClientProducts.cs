using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>The matrix products of a stacked pass, one per client.</summary>
internal static class ClientProducts
{
    /// <summary>
    /// destination[c] = left(c) x right(c) for every client c, written in place (libtorch's bmm has
    /// no in-place form in TorchSharp). One MKL product per client: a client's result cannot
    /// depend on how many clients share the pass.
    /// </summary>
    public static Tensor Product(Tensor destination, Func<int, Tensor> left, Func<int, Tensor> right)
    {
        for (int c = 0; c < destination.shape[0]; c++)
        {
            using var scope = NewDisposeScope();
            destination[c].addmm_(left(c), right(c), beta: 0, alpha: 1);
        }

        return destination;
    }
}
