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

        int whole = WholeVectors(a.Length);
        var sum = AddSquaredDifferences(a[..whole], b[..whole], Vector<float>.Zero);
        return FinishSquaredDistance(sum, a[whole..], b[whole..]);
    }

    /// <summary>
    /// How many leading values of a length-<paramref name="length"/> span <see cref="SquaredDistance"/>
    /// sums lane-wise (whole <see cref="Vector{T}"/>s; none without SIMD); the rest is its tail.
    /// </summary>
    internal static int WholeVectors(int length) =>
        Vector.IsHardwareAccelerated ? length - (length % Vector<float>.Count) : 0;

    /// <summary>
    /// <paramref name="sum"/> plus the lane-wise squares of a - b over whole vectors, in order: the
    /// first part of <see cref="SquaredDistance"/>. Summing consecutive pieces of a row in turn,
    /// each from the previous piece's result, gives the bits of one call over the whole.
    /// </summary>
    internal static Vector<float> AddSquaredDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Vector<float> sum)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (int k = 0; k < va.Length; k++)
        {
            var diff = va[k] - vb[k];
            sum += diff * diff;
        }

        return sum;
    }

    /// <summary>
    /// <see cref="AddSquaredDifferences(ReadOnlySpan{float}, ReadOnlySpan{float}, Vector{float})"/>
    /// over <paramref name="length"/> values (a multiple of the vector width) of each listed row
    /// of <paramref name="data"/> (rows <paramref name="stride"/> floats apart, all starting at the
    /// same column) against <paramref name="b"/>, into sums[row]. Four rows go through the loop
    /// together: four independent chains of additions instead of one, each row's in its own
    /// order, so each sum has the bits of its own call.
    /// </summary>
    internal static unsafe void AddSquaredDifferences(float* data, long stride, ReadOnlySpan<int> rows, float* b, int length, Vector<float>* sums)
    {
        int i = 0;
        for (; i + 4 <= rows.Length; i += 4)
        {
            int i0 = rows[i], i1 = rows[i + 1], i2 = rows[i + 2], i3 = rows[i + 3];
            float* r0 = data + (i0 * stride), r1 = data + (i1 * stride), r2 = data + (i2 * stride), r3 = data + (i3 * stride);
            Vector<float> s0 = sums[i0], s1 = sums[i1], s2 = sums[i2], s3 = sums[i3];
            for (int k = 0; k < length; k += Vector<float>.Count)
            {
                var centre = Vector.Load(b + k);
                var e0 = Vector.Load(r0 + k) - centre;
                var e1 = Vector.Load(r1 + k) - centre;
                var e2 = Vector.Load(r2 + k) - centre;
                var e3 = Vector.Load(r3 + k) - centre;
                s0 += e0 * e0;
                s1 += e1 * e1;
                s2 += e2 * e2;
                s3 += e3 * e3;
            }

            sums[i0] = s0;
            sums[i1] = s1;
            sums[i2] = s2;
            sums[i3] = s3;
        }

        for (; i < rows.Length; i++)
        {
            int row = rows[i];
            sums[row] = AddSquaredDifferences(new ReadOnlySpan<float>(data + (row * stride), length), new ReadOnlySpan<float>(b, length), sums[row]);
        }
    }

    /// <summary>The lanes of <paramref name="sum"/> added up, then the tail's squares in order; +Infinity when non-finite.</summary>
    internal static float FinishSquaredDistance(Vector<float> sum, ReadOnlySpan<float> aTail, ReadOnlySpan<float> bTail)
    {
        float total = Vector.Sum(sum);
        for (int i = 0; i < aTail.Length; i++)
        {
            float diff = aTail[i] - bTail[i];
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
