using System.Numerics.Tensors;
using ByzantineSim.Aggregators.Krum;

namespace ByzantineSim.Attacks.Fang;

/// <summary>
/// Fang et al.'s attack on Krum (USENIX Security 2020, arXiv 1911.11815, section 4.1), in update
/// space: the reference w_Re (the global model) is the zero update and the direction of change s
/// is the sign of the honest mean update. Every Byzantine client sends b = -lambda * s; lambda
/// starts at the paper's bound
/// (1 / ((n - 2f - 1) sqrt d)) * min_i sum_{l in the n - f - 2 honest nearest to i} ||h_l - h_i||
/// + (1 / sqrt d) * max_i ||h_i||
/// and is halved until Krum, with f copies of b among its inputs, selects b, or lambda falls
/// below the threshold (b is then sent as it is). With partial knowledge the Byzantine clients'
/// own benign updates stand in for the honest ones (Krum's neighbour count and the bound's
/// divisor then kept at least 1). Distances to b are a quadratic in lambda
/// (||h + lambda s||^2 = ||h||^2 + 2 lambda h.s + lambda^2 ||s||^2), so each step of the search
/// costs O(n^2), not O(n^2 d).
/// </summary>
public sealed class FangKrumAttack(FangOptions options) : Attack<FangOptions>(RegistryName, options, options.BenignKnowledge, sendsOneVector: true)
{
    /// <summary>Registry name.</summary>
    public const string RegistryName = "fang-krum";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        var benign = Options.Partial ? context.OwnGradients : context.HonestUpdates;
        int d = context.Dimension;
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(d);
        try
        {
            var direction = rented.AsSpan(0, d);
            AttackKernels.ScaledMean(benign, 1f, direction);
            for (int j = 0; j < d; j++)
            {
                direction[j] = MathF.Sign(direction[j]);
            }

            double lambda = Search(benign, context.ByzantineCount, direction, Options.Threshold);
            TensorPrimitives.Multiply(direction, (float)-lambda, output[..d]);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }

        return null;
    }

    /// <summary>
    /// The lambda the attack sends: the first of bound, bound / 2, ... that Krum selects among
    /// <paramref name="benign"/> plus <paramref name="f"/> copies of -lambda * <paramref name="sign"/>,
    /// or the first below <paramref name="threshold"/>.
    /// </summary>
    public static double Search(RowMatrix benign, int f, ReadOnlySpan<float> sign, double threshold)
    {
        int h = benign.Rows, n = h + f, d = benign.Columns;
        int neighbours = Math.Max(1, n - f - 2);
        var honestDistances = new double[h * h];
        Krum.PairwiseSquaredDistances(benign, honestDistances);
        var norms = new double[h];
        var dots = new double[h];
        for (int i = 0; i < h; i++)
        {
            norms[i] = TensorPrimitives.Dot(benign[i], benign[i]);
            dots[i] = TensorPrimitives.Dot(benign[i], sign);
        }

        double ss = TensorPrimitives.Dot(sign, sign);
        double lambda = Bound(honestDistances, norms, h, f, d);
        var distances = new double[n * n];
        var scores = new double[n];
        var finite = new bool[n];
        Array.Fill(finite, true);
        Span<int> selected = stackalloc int[1];
        for (int i = 0; i < h; i++)
        {
            honestDistances.AsSpan(i * h, h).CopyTo(distances.AsSpan(i * n, h));
        }

        while (lambda >= threshold)
        {
            for (int i = 0; i < h; i++)
            {
                double toByzantine = Math.Max(0, norms[i] + (2 * lambda * dots[i]) + (lambda * lambda * ss));
                for (int k = h; k < n; k++)
                {
                    distances[(i * n) + k] = toByzantine;
                    distances[(k * n) + i] = toByzantine;
                }
            }

            Krum.Scores(distances, n, neighbours, scores);
            Krum.SelectOnePass(scores, finite, selected);
            if (selected[0] >= h)
            {
                return lambda;
            }

            lambda /= 2;
        }

        return lambda;
    }

    /// <summary>The paper's upper bound on lambda, from the benign rows' pairwise squared distances and squared norms.</summary>
    private static double Bound(double[] squaredDistances, double[] squaredNorms, int h, int f, int d)
    {
        int nearest = Math.Clamp(h - 2, 1, Math.Max(1, h - 1));
        double best = double.PositiveInfinity;
        var row = new double[h - 1];
        for (int i = 0; i < h; i++)
        {
            int k = 0;
            for (int l = 0; l < h; l++)
            {
                if (l != i)
                {
                    row[k++] = Math.Sqrt(squaredDistances[(i * h) + l]);
                }
            }

            Array.Sort(row);
            best = Math.Min(best, row.AsSpan(0, Math.Min(nearest, row.Length)).ToArray().Sum());
        }

        if (h < 2)
        {
            best = 0;
        }

        double root = Math.Sqrt(d);
        return (best / (Math.Max(1, h + f - (2 * f) - 1) * root)) + (Math.Sqrt(squaredNorms.Max()) / root);
    }
}
