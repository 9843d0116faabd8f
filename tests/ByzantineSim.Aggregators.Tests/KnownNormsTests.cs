using ByzantineSim.Testing;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// The rules that rank, clip or weigh rows by norm (CGE, ARC, static clipping, FLAME, SignGuard,
/// clipped clustering, FLAG) take the norms the server hands
/// them (<see cref="AggregationContext.RowNorms"/>, measured by each update's producer) instead of
/// measuring the rows again: the same bits as measuring them, the given norms really used, and
/// never carried past a pre-aggregator that rewrites the rows.
/// </summary>
public class KnownNormsTests
{
    public static TheoryData<string> Pipelines => ["cge", "arc>mean", "clipping>mean", "arc>cge", "flame", "signguard", "clipped-clustering", "flag"];

    private const int N = 11, F = 3, D = 301;

    /// <summary>Rows of several scales, a NaN row, an infinite row and a row whose float norm overflows.</summary>
    private static float[] Inputs()
    {
        var data = Matrices.Gaussian(N, D, 21);
        for (int i = 0; i < N; i++)
        {
            for (int k = 0; k < D; k++)
            {
                data[(i * D) + k] *= 1 + i;
            }
        }

        data[(2 * D) + 5] = float.NaN;
        data[(7 * D) + 9] = float.PositiveInfinity;
        Array.Fill(data, 3e38f, 9 * D, D);
        return data;
    }

    private static float[] Run(string spec, float[] data, ReadOnlyMemory<double> norms)
    {
        var output = new float[D];
        BuiltInAggregators.CreatePipeline(spec, F).Aggregate(new RowMatrix(data, N, D), output, AggregationContext.Stateless with { RowNorms = norms });
        return output;
    }

    private static double[] Measured(float[] data)
    {
        var norms = new double[N];
        Rows.Norms(new RowMatrix(data, N, D), norms);
        return norms;
    }

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void GivenTheRowsNorms_TheOutputHasTheBitsOfMeasuringThem(string spec)
    {
        var data = Inputs();
        var measuredHere = Run(spec, data, ReadOnlyMemory<double>.Empty);
        Assert.Equal(measuredHere, Run(spec, data, Measured(data)));
        Assert.All(measuredHere, value => Assert.True(float.IsFinite(value)));

        // Norms of another length are not the rows' own: ignored.
        Assert.Equal(measuredHere, Run(spec, data, new double[N - 1]));
    }

    [Fact]
    public void Cge_GivenNorms_RanksByThem()
    {
        // Reversed norms make the largest rows look smallest: CGE then keeps other rows.
        var data = Inputs();
        var reversed = Measured(data).Select((_, i) => (double)(N - i)).ToArray();
        Assert.NotEqual(Run("cge", data, ReadOnlyMemory<double>.Empty), Run("cge", data, reversed));
    }

    [Fact]
    public void Clipping_GivenNorms_ScalesByThem()
    {
        // Every row told it has norm 1e6: each is scaled down by its own norm / 1e6 instead.
        var data = Inputs();
        var large = Enumerable.Repeat(1e6, N).ToArray();
        Assert.NotEqual(Run("clipping>mean", data, ReadOnlyMemory<double>.Empty), Run("clipping>mean", data, large));
    }

    [Theory]
    [InlineData("flame", 1e6)] // clips to the median norm: with every norm equal, no row is clipped
    [InlineData("signguard", 1e6)] // filters by norm over the median: every ratio becomes 1
    [InlineData("clipped-clustering", 1e6)] // clips to the median norm
    [InlineData("flag", 0.0)] // a zero-norm row gets no similarity to the others
    public void GivenNorms_TheRuleUsesThem(string spec, double told)
    {
        var data = Inputs();
        var fake = Enumerable.Repeat(told, N).ToArray();
        Assert.NotEqual(Run(spec, data, ReadOnlyMemory<double>.Empty), Run(spec, data, fake));
    }

    [Theory]
    [InlineData("nnm>cge")]
    [InlineData("nnm>arc>mean")]
    [InlineData("nnm>clipping>mean")]
    public void AfterAPreAggregator_TheGivenNormsAreDropped(string spec)
    {
        // NNM rewrites the rows and keeps their number, so norms given for the inputs would fit
        // the next step's rows and must not reach it: nonsense norms change nothing.
        var data = Matrices.Gaussian(N, D, 8);
        var nonsense = Enumerable.Range(0, N).Select(i => (double)(N - i)).ToArray();
        Assert.Equal(Run(spec, data, ReadOnlyMemory<double>.Empty), Run(spec, data, nonsense));
    }
}
