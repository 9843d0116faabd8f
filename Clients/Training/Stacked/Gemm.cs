using System.Runtime.InteropServices;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>
/// How a matrix lies in memory: element (i, j) at <c>i RowStride + j ColumnStride</c> from its
/// first element, with the strides libtorch gives the same view (a contiguous [rows, columns]
/// has (columns, 1); its transpose swaps sizes and strides).
/// </summary>
internal readonly record struct Strided(int Rows, int Columns, int RowStride, int ColumnStride)
{
    /// <summary>A contiguous row-major [rows, columns] matrix.</summary>
    public static Strided RowMajor(int rows, int columns) => new(rows, columns, columns, 1);

    /// <summary>The transpose over the same memory (libtorch's <c>t()</c>).</summary>
    public Strided Transposed => new(Columns, Rows, ColumnStride, RowStride);

    /// <summary>Elements from the first to the last one the matrix reaches.</summary>
    public long Extent => Rows == 0 || Columns == 0 ? 0 : ((long)(Rows - 1) * RowStride) + ((long)(Columns - 1) * ColumnStride) + 1;

    /// <summary>Stride of dimension <paramref name="dimension"/> (0: rows, 1: columns).</summary>
    public int Stride(int dimension) => dimension == 0 ? RowStride : ColumnStride;

    /// <summary>Size of dimension <paramref name="dimension"/>.</summary>
    public int Size(int dimension) => dimension == 0 ? Rows : Columns;
}

/// <summary>
/// c = a b in float, by the BLAS <c>sgemm_</c> that libtorch's CPU <c>addmm_(a, b, beta: 0,
/// alpha: 1)</c> itself calls, with the arguments it would derive: ATen's
/// <c>addmm_impl_cpu_</c> (aten/src/ATen/native/LinearAlgebra.cpp) picks the transposes and
/// leading dimensions from the operands' sizes and strides, and <c>cpublas::gemm</c>
/// (CPUBlas.cpp, <c>normalize_last_dims</c>) adjusts them for dimensions of 1. Same routine, same
/// pointers, same arguments: the same bits as the tensor call (tested against it), without the
/// half-dozen tensor objects a per-client product otherwise creates and disposes, which cost
/// more than the small products of an MLP (docs/PERFORMANCE.md).
/// <para>
/// The product must go where libtorch would send it to BLAS: a contiguous destination, oneDNN
/// off (<see cref="TorchRuntime"/>) and float32's default "highest" matmul precision. Anything
/// else throws rather than silently computing other bits.
/// </para>
/// </summary>
internal static partial class Gemm
{
    /// <summary>
    /// <paramref name="c"/> (<paramref name="cShape"/>, contiguous) = <paramref name="a"/>
    /// (<paramref name="aShape"/>) x <paramref name="b"/> (<paramref name="bShape"/>).
    /// </summary>
    public static unsafe void Product(Span<float> c, Strided cShape, ReadOnlySpan<float> a, Strided aShape, ReadOnlySpan<float> b, Strided bShape)
    {
        if (aShape.Rows != cShape.Rows || bShape.Columns != cShape.Columns || aShape.Columns != bShape.Rows)
        {
            throw new ArgumentException($"cannot multiply [{aShape.Rows}, {aShape.Columns}] by [{bShape.Rows}, {bShape.Columns}] into [{cShape.Rows}, {cShape.Columns}]");
        }

        if (cShape != Strided.RowMajor(cShape.Rows, cShape.Columns))
        {
            throw new ArgumentException("the destination must be contiguous row-major", nameof(cShape));
        }

        CheckExtent(c.Length, cShape, nameof(c));
        CheckExtent(a.Length, aShape, nameof(a));
        CheckExtent(b.Length, bShape, nameof(b));
        if (cShape.Rows == 0 || cShape.Columns == 0)
        {
            return;
        }

        if (aShape.Columns == 0)
        {
            c[..(int)cShape.Extent].Clear();
            return;
        }

        // Cast the result as BLAS's column-major C: a contiguous row-major result is C^T, so the
        // operands swap (libtorch's transpose_c); a single column is already column-major.
        bool transposeC = cShape.Columns != 1;
        var m1 = transposeC ? bShape : aShape;
        var m2 = transposeC ? aShape : bShape;
        var first = transposeC ? b : a;
        var second = transposeC ? a : b;
        int m = cShape.Size(transposeC ? 1 : 0), n = cShape.Size(transposeC ? 0 : 1), k = m1.Size(transposeC ? 0 : 1);

        bool transposeA = Operand(ref first, ref m1, transposeC, m, k);
        bool transposeB = Operand(ref second, ref m2, transposeC, k, n);
        int lda = m1.Stride(transposeA == transposeC ? 1 : 0);
        int ldb = m2.Stride(transposeB == transposeC ? 1 : 0);
        int ldc = cShape.Stride(transposeC ? 0 : 1);

        // cpublas::gemm's normalize_last_dims.
        if (n == 1)
        {
            ldc = m;
        }

        if (transposeA ? m == 1 : k == 1)
        {
            lda = transposeA ? k : m;
        }

        if (transposeB ? k == 1 : n == 1)
        {
            ldb = transposeB ? n : k;
        }

        if (lda < Math.Max(1, transposeA ? k : m) || ldb < Math.Max(1, transposeB ? n : k) || ldc < Math.Max(1, m))
        {
            throw new InvalidOperationException("libtorch would not send this product to BLAS");
        }

        byte ta = transposeA ? (byte)'T' : (byte)'N', tb = transposeB ? (byte)'T' : (byte)'N';
        float alpha = 1, beta = 0;
        fixed (float* pc = c)
        fixed (float* pa = first)
        fixed (float* pb = second)
        {
            Sgemm(&ta, &tb, &m, &n, &k, &alpha, pa, &lda, pb, &ldb, &beta, pc, &ldc);
        }
    }

    /// <summary>
    /// addmm_impl_cpu_'s cast of one operand ([rows, columns] after the swap, as BLAS reads it):
    /// used as it is, read transposed, or (when neither fits) copied contiguous, which BLAS then
    /// reads transposed exactly when the result is not; returns whether BLAS reads it transposed.
    /// </summary>
    private static bool Operand(ref ReadOnlySpan<float> values, ref Strided shape, bool transposeC, int rows, int columns)
    {
        int inner = transposeC ? 1 : 0, outer = transposeC ? 0 : 1;
        if (shape.Stride(inner) == 1 && shape.Stride(outer) >= Math.Max(1, rows))
        {
            return false;
        }

        if (shape.Stride(outer) == 1 && shape.Stride(inner) >= Math.Max(1, columns))
        {
            return true;
        }

        var copy = new float[shape.Rows * shape.Columns];
        for (int i = 0; i < shape.Rows; i++)
        {
            for (int j = 0; j < shape.Columns; j++)
            {
                copy[(i * shape.Columns) + j] = values[(i * shape.RowStride) + (j * shape.ColumnStride)];
            }
        }

        values = copy;
        shape = Strided.RowMajor(shape.Rows, shape.Columns);
        return !transposeC;
    }

    private static void CheckExtent(int length, Strided shape, string name)
    {
        if (shape.Rows < 0 || shape.Columns < 0 || shape.RowStride < 0 || shape.ColumnStride < 0 || shape.Extent > length)
        {
            throw new ArgumentException($"[{shape.Rows}, {shape.Columns}] with strides ({shape.RowStride}, {shape.ColumnStride}) does not fit in {length} values", name);
        }
    }

    // The Fortran BLAS entry point libtorch_cpu exports (its bundled oneMKL), the one
    // cpublas::gemm calls for float.
    [LibraryImport("torch_cpu", EntryPoint = "sgemm_")]
    private static unsafe partial void Sgemm(byte* transa, byte* transb, int* m, int* n, int* k, float* alpha, float* a, int* lda, float* b, int* ldb, float* beta, float* c, int* ldc);
}
