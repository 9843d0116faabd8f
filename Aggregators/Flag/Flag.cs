using MathNet.Numerics.LinearAlgebra;

namespace ByzantineSim.Aggregators.Flag;

/// <summary>
/// The Flag Aggregator (Almasi, Mishra, Vamanan, Ravi, arXiv 2302.05865; reference code
/// hamidralmasi/FlagAggregator, <c>aggregators/flag.py</c> and <c>center_algorithms_torch.py</c>):
/// the unit rows x_i = g_i / ||g_i|| are points of a Grassmannian; the flag median subspace Y
/// (d x r) is approached by iteratively reweighted least squares, each step the top-r left singular
/// vectors of the columns w_i x_i (and, with lambda &gt; 0, w_ij (x_i - x_j) for i != j), with
/// w = (|1 - ||Y^T c||^2| + 1e-7)^(-1/4) for each column c at the previous Y and
/// w_ij scaled by lambda / (m (m - 1)); a step is kept only if it lowers
/// sum_i sqrt(1 - ||Y^T x_i||^2). The output is Y Y^T sum_i x_i / r.
/// </summary>
/// <remarks>
/// Every column lies in the span of the x_i, so the work is done on the m x m Gram matrix G:
/// Y = X C, the top eigenvectors s of G^(1/2) M G^(1/2) (M the weights' m x m form) give
/// C = G^(+1/2) s, and Y^T x_i = C^T G e_i. The reference starts from a random d x r matrix, whose
/// projections of the data are of order r/d; we start from a subspace orthogonal to the data
/// (all projections zero), so every first-step weight is equal and the start needs no randomness.
/// </remarks>
public static class Flag
{
    private const double Epsilon = 1e-7;

    /// <summary>
    /// The coefficients a (length m) of the output sum_j a_j x_j, from the Gram matrix of the unit
    /// rows (m x m; a zero row has a zero row and column).
    /// </summary>
    public static double[] Coefficients(double[] gram, int m, int rank, double lambda, int iterations)
    {
        var g = Matrix<double>.Build.Dense(m, m, (i, j) => gram[(i * m) + j]);
        var evd = g.Evd(Symmetricity.Symmetric);
        var q = evd.EigenVectors;
        var values = evd.EigenValues.Select(v => Math.Max(0, v.Real)).ToArray();
        double tolerance = 1e-12 * Math.Max(1e-300, values.Max());
        var root = q * Matrix<double>.Build.DiagonalOfDiagonalArray([.. values.Select(Math.Sqrt)]) * q.Transpose();
        var inverseRoot = q * Matrix<double>.Build.DiagonalOfDiagonalArray([.. values.Select(v => v > tolerance ? 1 / Math.Sqrt(v) : 0)]) * q.Transpose();

        Matrix<double>? c = null;
        var projections = Matrix<double>.Build.Dense(Math.Min(rank, m), m);
        double error = Objective(projections, m);
        double change = 1;
        for (int iteration = 1; iteration <= iterations && change > 1e-10 && error > 1e-10; iteration++)
        {
            var weights = Weights(projections, m, lambda);
            var s = (root * weights * root).Evd(Symmetricity.Symmetric);
            var order = Enumerable.Range(0, m).Where(k => s.EigenValues[k].Real > tolerance)
                .OrderByDescending(k => s.EigenValues[k].Real).Take(rank).ToArray();
            var next = Matrix<double>.Build.Dense(m, order.Length, (i, k) => s.EigenVectors[i, order[k]]);
            next = inverseRoot * next;
            var nextProjections = next.Transpose() * g;
            double nextError = Objective(nextProjections, m);
            change = error - nextError;
            if (change <= 0)
            {
                break;
            }

            (c, projections, error) = (next, nextProjections, nextError);
        }

        if (c is null)
        {
            return new double[m];
        }

        // Y Y^T sum_i x_i / r = X C (sum_i C^T G e_i) / r.
        var z = projections.RowSums() / rank;
        return [.. c * z];
    }

    /// <summary>sum_i sqrt(max(0, 1 - ||Y^T x_i||^2)), the sine-median objective.</summary>
    private static double Objective(Matrix<double> projections, int m)
    {
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            double captured = projections.Column(i).DotProduct(projections.Column(i));
            sum += Math.Sqrt(Math.Max(0, 1 - captured));
        }

        return sum;
    }

    /// <summary>M = sum_i w_i^2 e_i e_i^T + sum_{i != j} w_ij^2 (e_i - e_j)(e_i - e_j)^T.</summary>
    private static Matrix<double> Weights(Matrix<double> projections, int m, double lambda)
    {
        var weights = Matrix<double>.Build.Dense(m, m);
        for (int i = 0; i < m; i++)
        {
            double captured = projections.Column(i).DotProduct(projections.Column(i));
            weights[i, i] = Math.Pow(Math.Abs(1 - captured) + Epsilon, -0.5);
        }

        if (lambda > 0 && m > 1)
        {
            double scale = lambda / (m * (m - 1.0));
            for (int i = 0; i < m; i++)
            {
                for (int j = i + 1; j < m; j++)
                {
                    var difference = projections.Column(i) - projections.Column(j);
                    double w = Math.Pow(Math.Abs(1 - difference.DotProduct(difference)) + Epsilon, -0.25) * scale;

                    // Both orders (i, j) and (j, i) are columns of the reference's matrix.
                    double term = 2 * w * w;
                    weights[i, i] += term;
                    weights[j, j] += term;
                    weights[i, j] -= term;
                    weights[j, i] -= term;
                }
            }
        }

        return weights;
    }
}
