namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>The matrix products of a stacked pass, one per client.</summary>
internal static class ClientProducts
{
    /// <summary>
    /// destination_c = left_c x right_c for every client c, each client's operand starting
    /// <c>c x</c> its per-client stride into its span (stride 0: one matrix for every client, the
    /// weights). One BLAS product per client through <see cref="Gemm"/>, the routine and arguments
    /// of libtorch's <c>addmm_</c>: a client's result cannot depend on how many clients share the
    /// pass, and the bits are those of the tensor call.
    /// </summary>
    public static void Product(
        int clients,
        Span<float> destination, Strided destinationShape,
        ReadOnlySpan<float> left, Strided leftShape, int leftStride,
        ReadOnlySpan<float> right, Strided rightShape, int rightStride)
    {
        int size = destinationShape.Rows * destinationShape.Columns;
        for (int c = 0; c < clients; c++)
        {
            Gemm.Product(destination.Slice(c * size, size), destinationShape, left[(c * leftStride)..], leftShape, right[(c * rightStride)..], rightShape);
        }
    }
}
