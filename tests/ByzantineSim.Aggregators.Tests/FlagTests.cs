using MathNet.Numerics.LinearAlgebra;
using static ByzantineSim.Aggregators.Tests.FilterRun;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>The Flag Aggregator (Almasi et al., arXiv 2302.05865) against hand-derived values and a literal d-space transcription of the reference.</summary>
public class FlagTests
{
    [Fact]
    public void Flag_ParallelRows_SumOfTheUnitRows()
    {
        // Every unit row is u: Y = u, each projection 1, so Y Y^T sum x_i / 1 = 3u.
        var (output, flagged) = Run("flag", [[2, 0, 0], [3, 0, 0], [0.5f, 0, 0]], f: 0);
        Assert.Empty(flagged);
        Close([3, 0, 0], output);
    }

    [Fact]
    public void Flag_ThreeAlongE1OneAlongE2_RankOneAndRankTwo()
    {
        // Unit rows e1, e1, e1, e2, equal first weights: the top direction of 3 e1 e1^T + e2 e2^T
        // is e1, so rank 1 gives e1 (1 + 1 + 1 + 0) = (3, 0). Rank 2 spans both:
        // (sum of the unit rows) / 2 = (3, 1) / 2.
        float[][] rows = [[1, 0], [2, 0], [0.5f, 0], [0, 3]];
        Close([3, 0], Run("flag", rows, f: 1).Output);
        Close([1.5, 0.5], Run("flag", rows, f: 1, new() { ["rank"] = "2" }).Output);
    }

    [Theory]
    [InlineData(1, 0.0, 1)]
    [InlineData(1, 1.0, 2)]
    [InlineData(2, 0.0, 4)]
    [InlineData(2, 0.5, 3)]
    [InlineData(3, 2.0, 5)]
    public void Flag_RandomRows_MatchesTheReferenceComputedInDSpace(int rank, double lambda, int iterations)
    {
        var rows = Gaussian(6, 8, 0.3, 1, (ulong)(rank * 10 + iterations));
        var options = new Dictionary<string, string>
        {
            ["rank"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["lambda"] = lambda.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["iterations"] = iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var (output, _) = Run("flag", rows, f: 1, options);
        Close(Reference(rows, rank, lambda, iterations), output, 1e-4);
    }

    [Fact]
    public void Flag_NaNRow_FlaggedAndOutputFinite()
    {
        var honest = Gaussian(5, 6, 1, 0.2, 2);
        var (output, flagged) = Run("flag", [.. honest, [.. Enumerable.Repeat(float.NaN, 6)], [.. Enumerable.Repeat(1e38f, 6)]], f: 2);
        Assert.Equal([5], flagged);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>
    /// The reference's steps written out in d-space (columns w_i x_i and w_ij (x_i - x_j) for
    /// ordered pairs, the SVD's top-r left singular vectors, a step kept only if the sine-median
    /// objective drops), from a start orthogonal to the data.
    /// </summary>
    private static double[] Reference(float[][] rows, int rank, double lambda, int iterations)
    {
        var x = rows.Select(r => Vector<double>.Build.DenseOfEnumerable(r.Select(v => (double)v)).Normalize(2)).ToList();
        int p = x.Count;
        Matrix<double>? y = null;
        double Captured(Matrix<double>? basis, Vector<double> c) => basis is null ? 0 : (basis.Transpose() * c).DotProduct(basis.Transpose() * c);
        double Objective(Matrix<double>? basis) => x.Sum(c => Math.Sqrt(Math.Max(0, 1 - Captured(basis, c))));
        double error = Objective(null);
        for (int it = 0; it < iterations; it++)
        {
            var columns = x.Select(c => c * Math.Pow(Math.Abs(1 - Captured(y, c)) + 1e-7, -0.25)).ToList();
            if (lambda > 0)
            {
                foreach (var a in x)
                {
                    foreach (var b in x.Where(b => !ReferenceEquals(a, b)))
                    {
                        columns.Add((a - b) * (Math.Pow(Math.Abs(1 - Captured(y, a - b)) + 1e-7, -0.25) * lambda / (p * (p - 1))));
                    }
                }
            }

            var svd = Matrix<double>.Build.DenseOfColumnVectors(columns).Svd(computeVectors: true);
            var next = svd.U.SubMatrix(0, svd.U.RowCount, 0, rank);
            double nextError = Objective(next);
            if (nextError >= error)
            {
                break;
            }

            (y, error) = (next, nextError);
        }

        var sum = x.Aggregate((a, b) => a + b);
        return y is null ? new double[rows[0].Length] : [.. y * (y.Transpose() * sum) / rank];
    }
}
