using System.Numerics.Tensors;
using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// This machine's ceilings, to judge the rules against: memory read bandwidth (one pass summing a
/// 400 MB array, on one thread and on every core) and the Gram (pairwise dot product) kernel
/// against the plain baseline of one TensorPrimitives.Dot per pair, at n = 100, d = 1e6:
/// n (n + 1) / 2 dot products of 2 d flops each = 1.01e10 flops.
/// </summary>
[Config(typeof(ShortRunConfig))]
public class CeilingBenchmarks
{
    private const int N = 100;
    private const int D = 1_000_000;
    private float[] _inputs = [];
    private readonly double[] _gram = new double[N * N];

    /// <summary>Builds the 400 MB matrix.</summary>
    [GlobalSetup]
    public void Setup() => _inputs = Data.StandardNormal(N, D, 2);

    /// <summary>Drops the matrix so that the next benchmark class starts without it.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _inputs = [];
        GC.Collect();
    }

    /// <summary>One read of 400 MB on one thread.</summary>
    [Benchmark]
    public float ReadOneThread() => TensorPrimitives.Sum(_inputs);

    /// <summary>One read of 400 MB split over every core.</summary>
    [Benchmark]
    public float ReadAllCores()
    {
        int parts = Environment.ProcessorCount;
        var sums = new float[parts];
        long length = _inputs.Length / parts;
        Parallel.For(0, parts, p => sums[p] = TensorPrimitives.Sum(_inputs.AsSpan((int)(p * length), (int)(p == parts - 1 ? _inputs.Length - (p * length) : length))));
        return sums.Sum();
    }

    /// <summary>The blocked Gram kernel (n = 100, d = 1e6).</summary>
    [Benchmark]
    public double GramKernel()
    {
        Gram.Compute(new RowMatrix(_inputs, N, D), _gram);
        return _gram[1];
    }

    /// <summary>Baseline: one TensorPrimitives.Dot per pair (upper triangle), pairs spread over the cores.</summary>
    [Benchmark]
    public double DotPerPair()
    {
        Parallel.For(0, N, i =>
        {
            var row = _inputs.AsSpan(i * D, D);
            for (int j = i; j < N; j++)
            {
                _gram[(i * N) + j] = TensorPrimitives.Dot(row, _inputs.AsSpan(j * D, D));
            }
        });
        return _gram[1];
    }
}
