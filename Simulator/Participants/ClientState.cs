using System.Numerics.Tensors;
using ByzantineSim.Attacks;
using ByzantineSim.Clients.Compression;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Simulator.Participants;

/// <summary>
/// What a client is, apart from compute: its samples (and their noisy labels, if any), its
/// momentum buffer, its compression residual and its random streams. Immutable: each round's
/// transition returns a new state, and the new momentum buffer doubles as the update when
/// nothing else transforms it, so nothing model-sized is copied twice.
/// </summary>
/// <param name="ClientId">The client's id.</param>
/// <param name="Samples">Indices of its training samples.</param>
/// <param name="Seed">Root of its random streams (derived from the run seed and its id).</param>
/// <param name="Momentum">Worker momentum buffer, or null before the first round (always null without momentum).</param>
public sealed record ClientState(int ClientId, ImmutableArray<int> Samples, ulong Seed, VectorPayload? Momentum)
{
    /// <summary>Replacement labels of a noisy client, by sample index (null when clean).</summary>
    public ImmutableDictionary<int, int>? Relabel { get; init; }

    /// <summary>How the indices of its noisy copies read when its data is diluted (<see cref="Clients.Partitioning.LabelDilution"/>), or null.</summary>
    public Clients.Partitioning.DilutedSamples? Dilution { get; init; }

    /// <summary>Error-feedback residual of the compressor, or null.</summary>
    public VectorPayload? Residual { get; init; }

    /// <summary>How an unreliable client's samples are degraded, or null (its random labels, if any, are in <see cref="Relabel"/>).</summary>
    public Clients.Data.Degradation? Degradation { get; init; }

    /// <summary>An unreliable client's draws of the steps it takes and the batches it degrades, or null to take every step on degraded data.</summary>
    public UnreliableSteps? UnreliableSteps { get; init; }

    /// <summary>
    /// The client's own batch-norm running statistics (local batch norm, FedBN): carried from
    /// round to round and never sent; default for other models and modes.
    /// </summary>
    public ImmutableArray<float> Statistics { get; init; }

    /// <summary>
    /// The minibatch of local step <paramref name="step"/>, as a data loader with shuffling and
    /// drop_last would give it: each epoch is a fresh permutation of the client's samples, cut
    /// into consecutive batches. A pure function of (seed, step); <paramref name="epochs"/>, when
    /// given, keeps the last epoch's permutation, which serves the many steps of that epoch.
    /// </summary>
    public ImmutableArray<int> Batch(int step, int batchSize, EpochOrders? epochs = null)
    {
        int size = Math.Min(batchSize, Samples.Length);
        int batchesPerEpoch = Samples.Length / size;
        int epoch = step / batchesPerEpoch;
        int position = step % batchesPerEpoch;
        return [.. (epochs ?? new EpochOrders()).Of(this, epoch).AsSpan(position * size, size)];
    }

    /// <summary>
    /// The local work of round <paramref name="round"/>: one batch (D-SGD) or K consecutive ones
    /// (local steps); <paramref name="epochs"/> as in <see cref="Batch"/>. An unreliable client
    /// with <see cref="UnreliableSteps"/> keeps only the steps it takes (possibly none: its update
    /// is then zero) and degrades only the batches drawn for it.
    /// </summary>
    public LocalWork Work(int round, TrainingSettings training, Attacks.Poisoning.DataPoisoning? poisoning, EpochOrders? epochs = null)
    {
        int steps = training.Algorithm == LocalMode.Gradient ? 1 : training.LocalSteps;
        var batches = Enumerable.Range(0, steps).Select(k => Batch((round * steps) + k, training.BatchSize, epochs)).ToImmutableArray();
        var degraded = default(ImmutableArray<bool>);
        if (UnreliableSteps is { } unreliable)
        {
            var draws = unreliable.Draw(round, steps);
            batches = [.. batches.Where((_, k) => draws[k].Taken)];
            degraded = [.. draws.Where(d => d.Taken).Select(d => d.Degraded)];
        }

        return new LocalWork(training.Algorithm, batches, training.LocalLearningRate, training.ClipNorm, Relabel, poisoning)
        {
            Augmentation = training.Augmentation,
            AugmentationSeed = Core.Numerics.Seed.Derive(Seed, "augmentation", round),
            Degradation = Degradation,
            DegradedBatches = degraded,
            Dilution = Dilution,
            LabelSmoothing = training.LabelSmoothing,
        };
    }

    /// <summary>
    /// Turns the trainer's output into what the client sends: differential privacy (clip and
    /// noise), then worker momentum, then compression with optional error feedback (DGC instead
    /// applies the momentum, accumulates and sparsifies in one step), then, for clients that send
    /// models, theta minus the update. Returns the new state, the update and
    /// the bits it takes on the wire.
    /// </summary>
    /// <param name="round">The round.</param>
    /// <param name="computed">The trainer's output.</param>
    /// <param name="parameters">theta_t.</param>
    /// <param name="training">Momentum settings, and whether the client sends models.</param>
    /// <param name="compressor">The compressor.</param>
    /// <param name="privacy">Client-side differential privacy, or null.</param>
    /// <param name="momentumBuffers">The client actor's two momentum arrays, or null for a fresh array each round.</param>
    public (ClientState State, VectorPayload Update, long Bits) Prepare(
        int round, VectorPayload computed, VectorPayload parameters, TrainingSettings training, ICompressor compressor, ClientPrivacy? privacy, MomentumBuffers? momentumBuffers = null)
    {
        var gradient = computed;
        if (privacy is not null)
        {
            var noisy = computed.Span.ToArray();
            privacy.Apply(noisy, new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "privacy", round)));
            gradient = VectorPayload.TakeOwnership(noisy);
        }

        ClientState state;
        VectorPayload update;
        long bits;
        if (compressor is DgcCompressor dgc)
        {
            (state, update, bits) = WithDgc(round, gradient, training, dgc);
        }
        else
        {
            (state, update) = WithGradient(gradient, training.WorkerMomentum, training.MomentumForm, momentumBuffers);
            bits = 32L * update.Length;
            if (compressor is not NoCompression)
            {
                (state, update, bits) = state.Compressed(round, update, compressor);
            }
        }

        if (training.SendModel)
        {
            var model = new float[update.Length];
            TensorPrimitives.Subtract(parameters.Span, update.Span, model);
            update = VectorPayload.TakeOwnership(model);
        }

        _ = update.Norm(); // on the client's thread, remembered for the server's check and the rule
        if (!ReferenceEquals(update, computed))
        {
            computed.Release(); // the trainer's gradient was only read here; the server releases what it is sent
        }

        return (state, update, bits);
    }

    /// <summary>
    /// Compresses <paramref name="update"/>, first adding the kept error when the compressor
    /// feeds it back, and keeps the new error; the compressor draws from the client's stream
    /// for the round.
    /// </summary>
    private (ClientState State, VectorPayload Update, long Bits) Compressed(int round, VectorPayload update, ICompressor compressor)
    {
        // Without error feedback nothing is kept, so the compressor reads the update itself;
        // with it, a copy plus the kept error, which then becomes the new error.
        float[]? input = compressor.ErrorFeedback ? update.Span.ToArray() : null;
        if (input is not null && Residual is { } residual && residual.Length == input.Length)
        {
            TensorPrimitives.Add(input, residual.Span, input);
        }

        var decoded = new float[update.Length];
        long bits = compressor.Compress(input is null ? update.Span : input, decoded, new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "compression", round)));
        if (input is null)
        {
            return (this, VectorPayload.TakeOwnership(decoded), bits);
        }

        TensorPrimitives.Subtract(input, decoded, input);
        return (this with { Residual = VectorPayload.TakeOwnership(input) }, VectorPayload.TakeOwnership(decoded), bits);
    }

    /// <summary>
    /// One round of DGC: the state's <see cref="Momentum"/> is DGC's momentum u and its
    /// <see cref="Residual"/> the accumulation v (fresh arrays each round, so earlier states stay
    /// as they were); the warm-up follows the client's epoch, the one <see cref="Batch"/> draws from.
    /// </summary>
    private (ClientState State, VectorPayload Update, long Bits) WithDgc(int round, VectorPayload gradient, TrainingSettings training, DgcCompressor dgc)
    {
        int d = gradient.Length;
        var u = new float[d];
        var v = new float[d];
        var decoded = new float[d];
        if (Momentum is { } previous && previous.Length == d)
        {
            previous.Span.CopyTo(u);
        }

        if (Residual is { } accumulated && accumulated.Length == d)
        {
            accumulated.Span.CopyTo(v);
        }

        // DGC clips the gradient in place; the copy it clips is rented.
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(d);
        long bits;
        try
        {
            var g = rented.AsSpan(0, d);
            gradient.Span.CopyTo(g);
            bits = dgc.Step(g, u, v, decoded, training.WorkerMomentum, training.MomentumForm, Epoch(round, training));
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }

        var state = this with { Momentum = VectorPayload.TakeOwnership(u), Residual = VectorPayload.TakeOwnership(v) };
        return (state, VectorPayload.TakeOwnership(decoded), bits);
    }

    /// <summary>The client's epoch at round <paramref name="round"/>: its passes over its own samples before the round's first batch (as <see cref="Batch"/> counts them).</summary>
    public int Epoch(int round, TrainingSettings training)
    {
        if (Samples.IsEmpty)
        {
            return 0;
        }

        int steps = training.Algorithm == LocalMode.Gradient ? 1 : training.LocalSteps;
        int batchesPerEpoch = Samples.Length / Math.Min(training.BatchSize, Samples.Length);
        return (int)Math.Min(int.MaxValue, (long)round * steps / batchesPerEpoch);
    }

    /// <summary>
    /// True when <see cref="Prepare"/> sends the trainer's gradient itself, untransformed: no
    /// privacy noise, worker momentum or compression, and the client sends gradients, not
    /// models. The trainer may then write it straight where the server wants it.
    /// </summary>
    public static bool SendsComputedGradient(TrainingSettings training, ICompressor compressor, ClientPrivacy? privacy) =>
        privacy is null && training.WorkerMomentum == 0 && compressor is NoCompression && !training.SendModel;

    /// <summary>
    /// Applies worker momentum to <paramref name="gradient"/>: the new state and the update
    /// before compression (the new momentum buffer, or without momentum the gradient itself,
    /// which the state then does not keep: the server releases it once aggregated).
    /// </summary>
    public (ClientState State, VectorPayload Update) WithGradient(VectorPayload gradient, double beta, MomentumForm form, MomentumBuffers? buffers = null)
    {
        if (beta == 0)
        {
            return (this, gradient);
        }

        var buffer = buffers?.Next(gradient.Length) ?? new float[gradient.Length];
        if (Momentum is { } previous && previous.Length == gradient.Length)
        {
            WorkerMomentum.Apply(previous.Span, gradient.Span, beta, form, buffer);
        }
        else
        {
            Array.Clear(buffer);
            WorkerMomentum.Apply(buffer, gradient.Span, beta, form);
        }

        var momentum = VectorPayload.TakeOwnership(buffer);
        return (this with { Momentum = momentum }, momentum);
    }
}

/// <summary>
/// A client's sample order in its latest epoch, kept by its actor from round to round: with
/// hundreds of samples and a batch of tens, one permutation serves many rounds, and drawing it
/// again each round would dominate a client's work at the start of a round.
/// </summary>
public sealed class EpochOrders
{
    private (ImmutableArray<int> Samples, ulong Seed, int Epoch, int[] Order)? _latest;

    /// <summary>The permutation of <paramref name="state"/>'s samples in <paramref name="epoch"/>.</summary>
    public int[] Of(ClientState state, int epoch)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_latest is { } latest && latest.Samples == state.Samples && latest.Seed == state.Seed && latest.Epoch == epoch)
        {
            return latest.Order;
        }

        var order = state.Samples.ToArray();
        new DeterministicRandom(Core.Numerics.Seed.Derive(state.Seed, "epoch", epoch)).FisherYates(order.AsSpan());
        _latest = (state.Samples, state.Seed, epoch, order);
        return order;
    }
}

/// <summary>
/// A client actor's two momentum arrays, written in turn: round t's momentum goes into one while
/// the other holds round t-1's, which the new one is computed from. Round t's momentum is also
/// the update the server and an omniscient coalition read during round t, so its array is lent
/// to round t's lease (<see cref="LendTo"/>): it is written again (in round t+2 at the earliest)
/// only once that lease is given back; while a late reader (a coalition still crafting on the
/// deadline path) holds it, the client takes a fresh array instead. Without them, every client
/// would allocate d floats per round (the default sweep uses worker momentum).
/// </summary>
public sealed class MomentumBuffers
{
    private readonly float[][] _arrays = [[], []];
    private readonly RoundLease?[] _lentTo = new RoundLease?[2];
    private RoundLease? _round;
    private int _next;

    /// <summary>The round whose lease the next array is lent to (the source of its <see cref="Protocol.RoundStarted.Buffers"/>), or null outside a run.</summary>
    public void LendTo(IPayloadSource? round) => _round = round as RoundLease;

    /// <summary>The array to write the next momentum into (<paramref name="length"/> floats, contents arbitrary): never the previous one's, nor one a round's holder may still read.</summary>
    public float[] Next(int length)
    {
        if (_arrays[_next].Length != length || _lentTo[_next] is { IsReleased: false })
        {
            _arrays[_next] = new float[length];
        }

        var array = _arrays[_next];
        _lentTo[_next] = _round;
        _next ^= 1;
        return array;
    }
}
