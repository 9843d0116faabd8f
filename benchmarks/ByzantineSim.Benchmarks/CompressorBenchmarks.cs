using ByzantineSim.Clients.Compression;
using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// One client's compression of a d-vector of standard normal values, as every sampled client
/// runs it every round: top-k at its default 1% and DGC at its final 0.1% select the largest magnitudes, QSGD
/// and TernGrad quantise stochastically.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class CompressorBenchmarks
{
    private float[] _input = [];
    private float[] _decoded = [];
    private ICompressor? _compressor;
    private DeterministicRandom _random = new(1);

    /// <summary>The compressor, as a spec names it.</summary>
    [Params("topk", "dgc", "qsgd", "terngrad")]
    public string Compressor { get; set; } = "topk";

    /// <summary>The vector's length.</summary>
    [Params(100_000, 1_000_000)]
    public int D { get; set; } = 100_000;

    /// <summary>Builds the input and the compressor.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new DeterministicRandom(7);
        _input = [.. Enumerable.Range(0, D).Select(_ => (float)random.NextGaussian())];
        _decoded = new float[D];
        _compressor = CompressorCatalog.Registry.Create(Compressor, null, CompressorCatalog.Bind);
    }

    /// <summary>One compression; returns the bits sent.</summary>
    [Benchmark]
    public long Compress() => _compressor!.Compress(_input, _decoded, _random);
}
