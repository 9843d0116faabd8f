using System.Runtime.Intrinsics;
using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Nnm;

/// <summary>
/// Nearest neighbour mixing, NNM (Allouah, Farhadkhani, Guerraoui, Gupta, Pinot, Stephan,
/// AISTATS 2023, arXiv 2302.01772): y_i = mean of the n - f inputs nearest to x_i, x_i itself
/// included (ties: lower index). If F is (f, kappa)-robust then F after NNM is
/// (f, 8f / (n - f) * (kappa + 1))-robust (Lemma 1 of the paper). A non-finite input stays
/// non-finite and is infinitely far from every other, so finite inputs never mix it in.
/// </summary>
/// <remarks>
/// The output is n x d by definition. The mixing is done per column block: the block of every
/// row (n x 1024 floats) stays in L2 while each output row sums its neighbours' slices in
/// registers, four vectors at a time.
/// </remarks>
public static unsafe class Nnm
{
    private const int BlockColumns = 1024;

    /// <summary>Writes the mixed rows (n x d, row-major) into <paramref name="output"/>.</summary>
    public static void Apply(RowMatrix inputs, int f, Span<float> output)
    {
        int n = inputs.Rows;
        int d = inputs.Columns;
        int k = n - f;
        if (output.Length != n * d)
        {
            throw new ArgumentException($"need {n * d} output values, got {output.Length}", nameof(output));
        }

        var norms = new double[n];
        var distances = new double[n * n];
        Gram.SquaredDistances(inputs, distances, squaredNorms: norms);
        var neighbours = new int[n * k];
        for (int i = 0; i < n; i++)
        {
            var mine = neighbours.AsSpan(i * k, k);
            Rows.Smallest(distances.AsSpan(i * n, n), k, mine);

            // Index order makes each sum independent of how ties among distances were broken.
            mine.Sort();
        }

        if (f > 0 && f < k && ComparableNorms(norms))
        {
            // Each output sums n - f rows; summing all n once per block and subtracting the f
            // excluded ones reads a quarter as much when f = n / 5. Only done when every row is
            // finite and the norms are within a factor 100, so the subtraction cannot cancel badly.
            var excluded = new int[n * f];
            for (int i = 0; i < n; i++)
            {
                var mine = neighbours.AsSpan(i * k, k);
                int e = 0;
                for (int j = 0, m = 0; j < n; j++)
                {
                    if (m < k && mine[m] == j)
                    {
                        m++;
                    }
                    else
                    {
                        excluded[(i * f) + e++] = j;
                    }
                }
            }

            Mix(inputs, excluded, f, k, output);
        }
        else
        {
            Mix(inputs, neighbours, k, -1, output);
        }
    }

    /// <summary>True when every row is finite and the largest norm is at most 100 times the smallest nonzero one.</summary>
    private static bool ComparableNorms(double[] squaredNorms)
    {
        double smallest = squaredNorms.Min();
        double largest = squaredNorms.Max();
        return double.IsFinite(largest) && smallest > 0 && largest <= 1e4 * smallest;
    }

    /// <summary>
    /// output_i = mean of the rows lists[i*k .. i*k + k - 1]; or, when <paramref name="complementOf"/>
    /// is positive, output_i = (sum of all rows - sum of those listed) / complementOf.
    /// </summary>
    public static void Mix(RowMatrix inputs, int[] lists, int k, int complementOf, Span<float> output)
    {
        int n = inputs.Rows;
        int d = inputs.Columns;
        int blocks = (d + BlockColumns - 1) / BlockColumns;
        fixed (float* data = inputs.Data)
        fixed (float* target = output)
        {
            nint dataAddress = (nint)data, targetAddress = (nint)target;
            void Block(int b)
            {
                if (Vector512.IsHardwareAccelerated)
                {
                    MixBlock<Simd512>((float*)dataAddress, (float*)targetAddress, n, d, lists, k, complementOf, b);
                }
                else if (Vector256.IsHardwareAccelerated)
                {
                    MixBlock<Simd256>((float*)dataAddress, (float*)targetAddress, n, d, lists, k, complementOf, b);
                }
                else
                {
                    MixBlock<Simd128>((float*)dataAddress, (float*)targetAddress, n, d, lists, k, complementOf, b);
                }
            }

            if ((long)n * k * d < 1 << 20 || blocks == 1)
            {
                for (int b = 0; b < blocks; b++)
                {
                    Block(b);
                }
            }
            else
            {
                Parallel.For(0, blocks, Block);
            }
        }
    }

    private static void MixBlock<T>(float* data, float* output, int n, int d, int[] lists, int k, int complementOf, int block)
        where T : unmanaged, ISimd<T>
    {
        int start = block * BlockColumns;
        int end = Math.Min(d, start + BlockColumns);
        int width = 4 * T.Count;
        bool complement = complementOf > 0;
        float inverse = 1f / (complement ? complementOf : k);
        T scale = T.Broadcast(inverse);
        float* total = stackalloc float[BlockColumns];
        if (complement)
        {
            var sums = new Span<float>(total, end - start);
            sums.Clear();
            for (int j = 0; j < n; j++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<float>(data + ((long)j * d) + start, end - start), sums, sums);
            }
        }

        T sign = T.Broadcast(complement ? -1f : 1f);
        for (int i = 0; i < n; i++)
        {
            var mine = lists.AsSpan(i * k, k);
            float* target = output + ((long)i * d);
            int c = start;
            for (; c + width <= end; c += width)
            {
                T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
                foreach (int j in mine)
                {
                    float* source = data + ((long)j * d) + c;
                    s0 = T.Add(s0, T.Load(source));
                    s1 = T.Add(s1, T.Load(source + T.Count));
                    s2 = T.Add(s2, T.Load(source + (2 * T.Count)));
                    s3 = T.Add(s3, T.Load(source + (3 * T.Count)));
                }

                if (complement)
                {
                    float* sums = total + (c - start);
                    s0 = T.MultiplyAdd(s0, sign, T.Load(sums));
                    s1 = T.MultiplyAdd(s1, sign, T.Load(sums + T.Count));
                    s2 = T.MultiplyAdd(s2, sign, T.Load(sums + (2 * T.Count)));
                    s3 = T.MultiplyAdd(s3, sign, T.Load(sums + (3 * T.Count)));
                }

                T.Store(T.Multiply(s0, scale), target + c);
                T.Store(T.Multiply(s1, scale), target + c + T.Count);
                T.Store(T.Multiply(s2, scale), target + c + (2 * T.Count));
                T.Store(T.Multiply(s3, scale), target + c + (3 * T.Count));
            }

            for (; c < end; c++)
            {
                float sum = 0;
                foreach (int j in mine)
                {
                    sum += data[((long)j * d) + c];
                }

                target[c] = (complement ? total[c - start] - sum : sum) * inverse;
            }
        }
    }
}
