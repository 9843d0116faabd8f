namespace ByzantineSim.Clients.Compression;

/// <summary>
/// Lossy compression of a client's update. The simulator does not serialise messages, so a
/// compressor writes what the server decodes (<c>decode(encode(x))</c>) and returns how many bits
/// the encoding would take on the wire; randomness comes from the client's own stream.
/// </summary>
public interface ICompressor
{
    /// <summary>The name this compressor is registered under, which a spec's YAML uses to select it.</summary>
    string Name { get; }

    /// <summary>Whether the client should keep the compression error and add it to its next update.</summary>
    bool ErrorFeedback { get; }

    /// <summary>Writes the decoded vector of <paramref name="input"/> into <paramref name="decoded"/>; returns the bits sent.</summary>
    long Compress(ReadOnlySpan<float> input, Span<float> decoded, DeterministicRandom random);
}

/// <summary>The built-in compressors.</summary>
public static class CompressorCatalog
{
    /// <summary>The name that means "send float32 as is".</summary>
    public const string NoneName = "none";

    private static readonly Parameter<int> LevelsParameter = new("levels", 1, "quantisation levels s", v => v >= 1 ? null : "must be >= 1");
    private static readonly Parameter<double> FractionParameter = new("fraction", 0.01, "share k/d of coordinates kept", v => v is > 0 and <= 1 ? null : "must be in (0, 1]");
    private static readonly Parameter<bool> QuantisedFeedbackParameter = new("error_feedback", false, "keep the compression error and add it to the next update");
    private static readonly Parameter<bool> TopKFeedbackParameter = new("error_feedback", true, "keep the compression error and add it to the next update");
    private static readonly Parameter<double> DgcFractionParameter = new("fraction", 0.001, "share k/d of coordinates kept after the warm-up (0.001: 99.9% sparsity)", v => v is > 0 and <= 1 ? null : "must be in (0, 1]");
    private static readonly Parameter<int> DgcWarmupParameter = new("warmup_epochs", 4, "epochs of the sparsity warm-up (75%, 93.75%, 98.4375%, 99.6%); 0 turns it off", v => v >= 0 ? null : "must be >= 0");
    private static readonly Parameter<bool> DgcMaskingParameter = new("momentum_masking", true, "zero the momentum where the accumulation was sent");
    private static readonly Parameter<double> DgcClipParameter = new("clip_norm", 0.0, "local gradient clipping bound of a client (the global bound times N^-1/2); 0 turns it off", v => v >= 0 ? null : "must be >= 0 (0 disables clipping)");

    /// <summary>Every built-in compressor.</summary>
    public static PluginRegistry<PluginDescriptor<ICompressor>> Registry { get; } = new("compressor",
    [
        new PluginDescriptor<ICompressor>(NoneName, "no compression: 32 bits per coordinate", [], _ => NoCompression.Instance),
        new PluginDescriptor<ICompressor>(
            QsgdCompressor.RegistryName,
            "QSGD: stochastic rounding of |x_i|/||x|| to s levels, unbiased (Alistarh et al., NeurIPS 2017, arXiv 1610.02132)",
            [LevelsParameter, QuantisedFeedbackParameter],
            binder => new QsgdCompressor(binder.Get(LevelsParameter), binder.Get(QuantisedFeedbackParameter))),
        new PluginDescriptor<ICompressor>(
            TernGradCompressor.RegistryName,
            "TernGrad: max|x| * sign(x_i) * Bernoulli(|x_i| / max|x|), unbiased (Wen et al., NeurIPS 2017, arXiv 1705.07878)",
            [QuantisedFeedbackParameter],
            binder => new TernGradCompressor(binder.Get(QuantisedFeedbackParameter))),
        new PluginDescriptor<ICompressor>(
            TopKCompressor.RegistryName,
            "top-k sparsification by magnitude, biased; with error feedback (Stich, Cordonnier, Jaggi, NeurIPS 2018, arXiv 1809.07599)",
            [FractionParameter, TopKFeedbackParameter],
            binder => new TopKCompressor(binder.Get(FractionParameter), binder.Get(TopKFeedbackParameter))),
        new PluginDescriptor<ICompressor>(
            DgcCompressor.RegistryName,
            "Deep Gradient Compression: top-k of the accumulated momentum, momentum correction and masking, local clipping, sparsity warm-up (Lin et al., ICLR 2018, arXiv 1712.01887)",
            [DgcFractionParameter, DgcWarmupParameter, DgcMaskingParameter, DgcClipParameter],
            binder => new DgcCompressor(binder.Get(DgcFractionParameter), binder.Get(DgcWarmupParameter), binder.Get(DgcMaskingParameter), binder.Get(DgcClipParameter))),
    ]);

    /// <summary>Binds a compressor's raw options.</summary>
    public static (ICompressor Compressor, ImmutableArray<PluginError> Errors) Bind(
        PluginDescriptor<ICompressor> descriptor, IReadOnlyDictionary<string, string> raw)
        => OptionsBinder.Bind(descriptor.Name, raw, descriptor.Create);
}

/// <summary>Sends float32 values unchanged.</summary>
public sealed class NoCompression : ICompressor
{
    private NoCompression()
    {
    }

    /// <summary>The shared instance: the identity compressor has no options or state.</summary>
    public static NoCompression Instance { get; } = new();

    /// <inheritdoc />
    public string Name => CompressorCatalog.NoneName;

    /// <inheritdoc />
    public bool ErrorFeedback => false;

    /// <inheritdoc />
    public long Compress(ReadOnlySpan<float> input, Span<float> decoded, DeterministicRandom random)
    {
        input.CopyTo(decoded);
        return 32L * input.Length;
    }
}
