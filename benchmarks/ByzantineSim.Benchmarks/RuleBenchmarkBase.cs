namespace ByzantineSim.Benchmarks;

/// <summary>
/// What every rule benchmark shares: the sizes of the aggregator issue (n = 25 and 100 inputs,
/// f = n / 5; d = 1e5 and 1e6), an n x d matrix of standard normal float32 values (seed 1) and an
/// output buffer, freed after each case (the large ones hold 400 MB).
/// </summary>
public abstract class RuleBenchmarkBase
{
    /// <summary>Number of inputs (f = n / 5).</summary>
    [Params(25, 100)]
    public int N { get; set; }

    /// <summary>Dimension d: the length of every input vector.</summary>
    [Params(100_000, 1_000_000)]
    public int D { get; set; }

    /// <summary>The n x d inputs, row-major.</summary>
    protected float[] Inputs { get; private set; } = [];

    /// <summary>The output buffer, d long unless the rule outputs more rows.</summary>
    protected float[] Output { get; set; } = [];

    /// <summary>The inputs as the rules take them.</summary>
    protected RowMatrix Matrix => new(Inputs, N, D);

    /// <summary>Draws the inputs and a d-long output buffer.</summary>
    protected void CreateInputs()
    {
        Inputs = Data.StandardNormal(N, D, 1);
        Output = new float[D];
    }

    /// <summary>Frees the inputs before the next case.</summary>
    [GlobalCleanup]
    public virtual void Cleanup()
    {
        Inputs = [];
        Output = [];
        GC.Collect();
    }
}
