using ByzantineSim.Clients.Training;
using ByzantineSim.Clients.Training.Stacked;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Tests;

/// <summary>
/// <see cref="Gemm"/> calls BLAS with the arguments libtorch's addmm_ derives itself, so its
/// products must have addmm_'s bits, for every layout the stacked layers use (each operand
/// contiguous or a transposed view) and at the sizes of 1 where libtorch changes its leading
/// dimensions.
/// </summary>
public class GemmTests
{
    public static TheoryData<int, int, int> Sizes()
    {
        var data = new TheoryData<int, int, int>();
        int[] sizes = [1, 2, 7, 32, 65];
        foreach (int rows in sizes)
        {
            foreach (int inner in sizes)
            {
                foreach (int columns in sizes)
                {
                    data.Add(rows, inner, columns);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Product_HasAddmmsBitsForEveryOperandLayout(int rows, int inner, int columns)
    {
        TorchRuntime.EnsureInitialised();
        var random = new Random((rows * 10007) + (inner * 101) + columns);
        var a = Values(random, rows * inner);
        var b = Values(random, inner * columns);
        foreach (bool aTransposed in new[] { false, true })
        {
            foreach (bool bTransposed in new[] { false, true })
            {
                // A transposed operand is stored as its transpose and read through a t() view.
                var aShape = aTransposed ? Strided.RowMajor(inner, rows).Transposed : Strided.RowMajor(rows, inner);
                var bShape = bTransposed ? Strided.RowMajor(columns, inner).Transposed : Strided.RowMajor(inner, columns);
                var ours = new float[rows * columns];
                Gemm.Product(ours, Strided.RowMajor(rows, columns), a, aShape, b, bShape);

                using var scope = NewDisposeScope();
                var left = aTransposed ? tensor(a).view(inner, rows).t() : tensor(a).view(rows, inner);
                var right = bTransposed ? tensor(b).view(columns, inner).t() : tensor(b).view(inner, columns);
                var reference = full(rows, columns, float.NaN).addmm_(left, right, beta: 0, alpha: 1);
                var expected = reference.contiguous().data<float>().ToArray();
                for (int k = 0; k < expected.Length; k++)
                {
                    Assert.True(
                        BitConverter.SingleToInt32Bits(expected[k]) == BitConverter.SingleToInt32Bits(ours[k]),
                        $"[{rows}x{inner}]{(aTransposed ? "^T" : "")} x [{inner}x{columns}]{(bTransposed ? "^T" : "")}: entry {k}: addmm_ {expected[k]:R}, ours {ours[k]:R}");
                }
            }
        }
    }

    [Fact]
    public void Product_RejectsMismatchedSizesAndShortMemory()
    {
        var c = new float[6];
        Assert.Throws<ArgumentException>(() => Gemm.Product(c, Strided.RowMajor(2, 3), new float[8], Strided.RowMajor(2, 4), new float[12], Strided.RowMajor(3, 4)));
        Assert.Throws<ArgumentException>(() => Gemm.Product(c, Strided.RowMajor(2, 3), new float[7], Strided.RowMajor(2, 4), new float[12], Strided.RowMajor(4, 3)));
        Assert.Throws<ArgumentException>(() => Gemm.Product(c, Strided.RowMajor(3, 2).Transposed, new float[8], Strided.RowMajor(2, 4), new float[12], Strided.RowMajor(4, 3)));
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int k = 0; k < count; k++)
        {
            values[k] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
