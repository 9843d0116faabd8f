using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Protocol;

/// <summary>To a trainer: a client's local work (a minibatch gradient, or local SGD steps) at the given parameters.</summary>
/// <param name="Model">Which model to run.</param>
/// <param name="Parameters">Where the work starts.</param>
/// <param name="Data">The training set.</param>
/// <param name="Work">Batches, mode, local step size, clipping and labels.</param>
/// <param name="Tag">Correlation tag echoed in the reply.</param>
public sealed record ComputeGradient(ModelKey Model, VectorPayload Parameters, Dataset Data, LocalWork Work, long Tag)
{
    /// <summary>
    /// Where to write the result (d values, e.g. the client's row of the server's round matrix),
    /// or empty for a pooled buffer. The reply's payload is then this memory.
    /// </summary>
    public Memory<float> Destination { get; init; }

    /// <summary>Where the result is rented when there is no <see cref="Destination"/> (the round's lease), or null for a fresh array.</summary>
    public IPayloadSource? Buffers { get; init; }

    /// <summary>
    /// The client whose update the result is, unchanged (see
    /// <c>ClientState.SendsComputedGradient</c>), or null. When set, the trainer checks it for
    /// NaN/Inf and replies to the sender (the server) with that client's
    /// <see cref="Protocol.UpdateSubmitted"/> for round <see cref="Tag"/>, or its
    /// <see cref="Protocol.UpdateFailed"/>, on the client's behalf: one hop instead of two.
    /// </summary>
    public int? SubmitFor { get; init; }

    /// <summary>
    /// The batch-norm running statistics the work starts from (the client's own, or the server's),
    /// or default when the model keeps none or the client does not need them back; the reply
    /// carries what the work's batches made of them.
    /// </summary>
    public ImmutableArray<float> Statistics { get; init; }

    /// <summary>
    /// True when <paramref name="other"/> can be computed in the same stacked pass: both D-SGD,
    /// same model, data, batch size and label smoothing, neither with running statistics. The parameters may
    /// differ (peers, each at its own model): a stacked pass gives each client its own
    /// (<c>ModelRunner.RunEach</c>), and a model that stacks no clients is handed out one
    /// gradient at a time anyway (<see cref="ModelKey.ClientsPerPass"/>).
    /// </summary>
    public bool CanShareWith(ComputeGradient other) =>
        Statistics.IsDefault && other.Statistics.IsDefault && Model.Equals(other.Model) && ReferenceEquals(Data, other.Data)
        && Work.Mode == LocalMode.Gradient && other.Work.Mode == LocalMode.Gradient && Work.Batches[0].Length == other.Work.Batches[0].Length
        && Work.LabelSmoothing == other.Work.LabelSmoothing;

    /// <summary>True when <paramref name="other"/> starts from the very same parameters (one payload): one load serves both.</summary>
    public bool SharesParametersWith(ComputeGradient other) => ReferenceEquals(Parameters, other.Parameters);
}

/// <summary>Reply to <see cref="ComputeGradient"/>.</summary>
/// <param name="Tag">The request's tag.</param>
/// <param name="Gradient">The gradient.</param>
/// <param name="Loss">The minibatch loss.</param>
/// <param name="Seconds">Compute time.</param>
public sealed record GradientComputed(long Tag, VectorPayload Gradient, double Loss, double Seconds)
{
    /// <summary>The request's running statistics after the work (see <see cref="ComputeGradient.Statistics"/>), or default.</summary>
    public ImmutableArray<float> Statistics { get; init; }
}

/// <summary>To a trainer: evaluate parameters on a contiguous part of a data set.</summary>
/// <param name="Model">Which model to run.</param>
/// <param name="Parameters">The parameters.</param>
/// <param name="Data">The evaluation set.</param>
/// <param name="Start">First sample of the part.</param>
/// <param name="Count">Samples in the part.</param>
/// <param name="Tag">Correlation tag echoed in the reply.</param>
public sealed record EvaluateModel(ModelKey Model, VectorPayload Parameters, Dataset Data, int Start, int Count, long Tag)
{
    /// <summary>The global model's batch-norm running statistics (aggregated batch norm only), or default.</summary>
    public ImmutableArray<float> Statistics { get; init; }
}

/// <summary>Reply to <see cref="EvaluateModel"/>.</summary>
/// <param name="Tag">The request's tag.</param>
/// <param name="Sums">Summed loss and correct count over the part.</param>
/// <param name="Seconds">Compute time.</param>
public sealed record ModelEvaluated(long Tag, EvaluationSums Sums, double Seconds);

/// <summary>A trainer request failed; the reason is reported, the trainer lives on.</summary>
/// <param name="Tag">The request's tag.</param>
/// <param name="Reason">The error.</param>
public sealed record ComputationFailed(long Tag, string Reason)
{
    /// <summary>The exception in full (type, message and stack), or null.</summary>
    public string? Trace { get; init; }
}
