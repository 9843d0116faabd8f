using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Clients.Compression;

/// <summary>
/// What the built-in compressors share: the registry name and whether the client keeps the
/// compression error. User compressors may implement <see cref="ICompressor"/> directly.
/// </summary>
/// <param name="name">The registry name, <see cref="Name"/>.</param>
/// <param name="errorFeedback">Keep the compression error for the next update, <see cref="ErrorFeedback"/>.</param>
public abstract class Compressor(string name, bool errorFeedback) : ICompressor
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public bool ErrorFeedback { get; } = errorFeedback;

    /// <inheritdoc />
    public abstract long Compress(ReadOnlySpan<float> input, Span<float> decoded, DeterministicRandom random);
}
