using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>
/// The parameters of a pass: one loaded set shared by every client (a star's round at theta_t),
/// or one set per group of clients (peers, each at its own model), rows of a [sets, d] tensor
/// with each client's set named by <c>slotOf</c>. A client's products read only its own set, so
/// its gradient has the same bits however the sets are laid out.
/// </summary>
internal sealed class Thetas
{
    private readonly Tensor[] _sets;
    private readonly int[]? _slotOf;

    private Thetas(Tensor[] sets, int[]? slotOf)
    {
        _sets = sets;
        _slotOf = slotOf;
    }

    /// <summary>Every client at <paramref name="theta"/> (d values).</summary>
    public static Thetas Shared(Tensor theta) => new([theta], null);

    /// <summary>
    /// Client c at row <paramref name="slotOf"/>[c] of <paramref name="rows"/> ([sets, d]); the
    /// rows' views are made here, once a pass, in the caller's dispose scope.
    /// </summary>
    public static Thetas PerClient(Tensor rows, int[] slotOf) =>
        new([.. Enumerable.Range(0, (int)rows.shape[0]).Select(s => rows[s])], slotOf);

    /// <summary>Client <paramref name="client"/>'s d parameters, over the loaded tensor's memory.</summary>
    public Span<float> Values(int client) => TensorMemory.Floats(_sets[_slotOf is null ? 0 : _slotOf[client]]);

    /// <summary>The one set when every client shares it; layers that take a single set (convolution blocks) need this.</summary>
    public Tensor Single => _sets.Length == 1 ? _sets[0] : throw new InvalidOperationException($"this layer takes one parameter set per pass, got {_sets.Length}");
}
