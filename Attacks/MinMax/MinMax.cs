using System.Buffers;
using System.Numerics.Tensors;

namespace ByzantineSim.Attacks.MinMax;

/// <summary>
/// The kernel of Shejwalkar and Houmansadr's min-max and min-sum attacks (NDSS 2021): the
/// malicious vector is m(lambda) = mu - lambda * Delta with mu the honest mean, and lambda the
/// largest value bisection finds such that
/// min-max: max_i ||m - x_i||^2 &lt;= max_{i,j} ||x_i - x_j||^2, or
/// min-sum: sum_i ||m - x_i||^2 &lt;= max_i (or min_i) sum_j ||x_i - x_j||^2.
/// Bisection as in the paper: lambda = start, step = start; on success remember lambda and add
/// step / 2, on failure subtract step / 2; halve step; stop when |lambda - last success| &lt;= tol.
/// Each test is O(n) once a_i = ||mu - x_i||^2 and b_i = &lt;Delta, mu - x_i&gt; are known, since
/// ||m(lambda) - x_i||^2 = a_i - 2 lambda b_i + lambda^2 ||Delta||^2.
/// </summary>
public static class MinMax
{
    /// <summary>
    /// Writes m(lambda*) into <paramref name="destination"/> and returns lambda* (0 when no lambda
    /// passes: the malicious vector is then the honest mean).
    /// </summary>
    public static double Craft(RowMatrix honest, MinMaxOptions options, bool sum, Span<float> destination)
    {
        int n = honest.Rows;
        int d = honest.Columns;
        VectorMath.CheckDestination(honest, destination);
        float[] rented = ArrayPool<float>.Shared.Rent(2 * d);
        try
        {
            var mean = rented.AsSpan(0, d);
            var direction = rented.AsSpan(d, d);
            Direction(honest, options.Direction, mean, direction);

            Span<double> a = n <= 512 ? stackalloc double[n] : new double[n];
            Span<double> b = n <= 512 ? stackalloc double[n] : new double[n];
            double directionDotMean = TensorPrimitives.Dot(direction, mean);
            for (int i = 0; i < n; i++)
            {
                a[i] = VectorMath.SquaredDistance(mean, honest[i]);
                b[i] = directionDotMean - TensorPrimitives.Dot(direction, honest[i]);
            }

            double c = TensorPrimitives.Dot(direction, direction);
            double threshold = sum ? SumThreshold(a, options.Bound == "min") : MaxPairwiseSquaredDistance(honest);
            double lambda = Bisect(a, b, c, threshold, sum, options.Start, options.Tolerance);
            TensorPrimitives.MultiplyAdd(direction, (float)-lambda, mean, destination);
            return lambda;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>The bisection on lambda given the per-client terms (exposed for tests).</summary>
    public static double Bisect(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double c, double threshold, bool sum, double start, double tolerance)
    {
        double lambda = start;
        double step = start;
        double success = 0;
        while (Math.Abs(success - lambda) > tolerance)
        {
            if (Distance(a, b, c, lambda, sum) <= threshold)
            {
                success = lambda;
                lambda += step / 2;
            }
            else
            {
                lambda -= step / 2;
            }

            step /= 2;
        }

        return success;
    }

    /// <summary>The honest mean and the perturbation direction.</summary>
    public static void Direction(RowMatrix honest, string kind, Span<float> mean, Span<float> direction)
    {
        if (kind == "std")
        {
            AttackKernels.MeanAndStd(honest, mean, direction);
            return;
        }

        AttackKernels.ScaledMean(honest, 1f, mean);
        if (kind == "sign")
        {
            for (int j = 0; j < mean.Length; j++)
            {
                direction[j] = mean[j] > 0 ? 1f : mean[j] < 0 ? -1f : 0f;
            }

            return;
        }

        float norm = TensorPrimitives.Norm(mean);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Multiply(mean, 1f / norm, direction);
        }
        else
        {
            direction.Clear();
        }
    }

    /// <summary>The largest squared distance between two honest updates, max_{i,j} ||x_i - x_j||^2: the bound min-max keeps its vector within.</summary>
    public static double MaxPairwiseSquaredDistance(RowMatrix honest) => AttackKernels.MaxPairwiseSquaredDistance(honest);

    /// <summary>
    /// max_i (or min_i) sum_j ||x_i - x_j||^2, in O(n) from a_i = ||x_i - mu||^2 by the identity
    /// sum_j ||x_i - x_j||^2 = n a_i + sum_j a_j.
    /// </summary>
    private static double SumThreshold(ReadOnlySpan<double> a, bool min)
    {
        double total = 0;
        foreach (double value in a)
        {
            total += value;
        }

        double best = min ? double.PositiveInfinity : double.NegativeInfinity;
        foreach (double value in a)
        {
            double score = (a.Length * value) + total;
            best = min ? Math.Min(best, score) : Math.Max(best, score);
        }

        return best;
    }

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double c, double lambda, bool sum)
    {
        double result = sum ? 0 : double.NegativeInfinity;
        for (int i = 0; i < a.Length; i++)
        {
            double distance = a[i] - (2 * lambda * b[i]) + (lambda * lambda * c);
            result = sum ? result + distance : Math.Max(result, distance);
        }

        return result;
    }
}
