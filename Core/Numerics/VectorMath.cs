using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ByzantineSim.Core.Numerics;

/// <summary>
/// SIMD helpers shared by the kernels. Conventions: a vector with a non-finite coordinate has
/// norm +Infinity, and any distance involving it is +Infinity, so robust rules treat it as
/// infinitely far or infinitely large instead of propagating NaN.
/// </summary>
public static class VectorMath
{
    /// <summary>True when every value is finite (no NaN, no +-Infinity).</summary>
    public static bool IsFinite(ReadOnlySpan<float> values)
    {
        // x - x is 0 for finite x and NaN for NaN or +-Inf; a lane-wise test keeps it one pass.
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var lanes = MemoryMarshal.Cast<float, Vector<float>>(values);
            foreach (var v in lanes)
            {
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero))
                {
                    return false;
                }
            }

            i = lanes.Length * Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Euclidean norm; +Infinity when a coordinate is non-finite or the sum overflows.</summary>
    public static float Norm(ReadOnlySpan<float> values)
    {
        float norm = TensorPrimitives.Norm(values);
        return float.IsNaN(norm) ? float.PositiveInfinity : norm;
    }

    /// <summary>Squared Euclidean norm; +Infinity when non-finite.</summary>
    public static float SquaredNorm(ReadOnlySpan<float> values)
    {
        float sum = TensorPrimitives.SumOfSquares(values);
        return float.IsNaN(sum) ? float.PositiveInfinity : sum;
    }

    /// <summary>Squared Euclidean distance ||a - b||^2; +Infinity when non-finite.</summary>
    public static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}", nameof(b));
        }

        var sum = Vector<float>.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<float>.Count;
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            for (int k = 0; k < va.Length; k++)
            {
                var diff = va[k] - vb[k];
                sum += diff * diff;
            }

            i = va.Length * step;
        }

        float total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            float diff = a[i] - b[i];
            total += diff * diff;
        }

        return float.IsNaN(total) ? float.PositiveInfinity : total;
    }

    /// <summary>destination = average of the given rows of <paramref name="matrix"/> (parallel over column blocks).</summary>
    public static void MeanOfRows(RowMatrix matrix, ReadOnlySpan<int> rows, Span<float> destination)
    {
        CheckDestination(matrix, destination);
        if (rows.Length == 0)
        {
            throw new ArgumentException("cannot average zero rows", nameof(rows));
        }

        Rows.Mean(matrix, rows, destination);
    }

    /// <summary>destination = average of all rows of <paramref name="matrix"/> (parallel over column blocks).</summary>
    public static void MeanOfRows(RowMatrix matrix, Span<float> destination)
    {
        CheckDestination(matrix, destination);
        if (matrix.Rows == 0)
        {
            throw new ArgumentException("cannot average zero rows", nameof(matrix));
        }

        Rows.Mean(matrix, Rows.AllRows(matrix.Rows), destination);
    }

    /// <summary>Throws unless <paramref name="destination"/> has one value per column.</summary>
    public static void CheckDestination(RowMatrix matrix, ReadOnlySpan<float> destination)
    {
        if (destination.Length != matrix.Columns)
        {
            throw new ArgumentException(
                $"destination has {destination.Length} values, the inputs have {matrix.Columns} columns",
                nameof(destination));
        }
    }
}
