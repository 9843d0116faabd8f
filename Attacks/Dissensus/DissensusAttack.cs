namespace ByzantineSim.Attacks.Dissensus;

/// <summary>
/// The dissensus attack (He, Karimireddy, Jaggi, "Byzantine-robust decentralized learning via
/// ClippedGossip", 2022, arXiv 2202.01545; reference code: epfml/byzantine-robust-decentralized-optimizer,
/// codes/attacks.py, DissensusWorker). The Byzantine neighbours of peer i send
/// x_i - eps * sum_{honest j} W_ij (x_j - x_i) / sum_{Byzantine b} W_ib, so that i's gossip step
/// moves it by (1 - eps) times the honest pull: eps &gt; 1 pushes neighbours apart instead of
/// together. The attack sees i's view as rows x_j - x_i (the coalition adds x_i back), so here
/// the vector is -eps * sum_j w_j row_j / W_B; with equal weights (a peer applying an
/// aggregator, or a server whose centre is 0 in update space) it is -eps * sum(rows) / f.
/// </summary>
public sealed class DissensusAttack(DissensusOptions options) : Attack<DissensusOptions>(RegistryName, options, AttackKnowledge.HonestUpdates, sendsOneVector: true)
{
    /// <summary>The name a spec's YAML uses to select this attack; its key in the attack registry.</summary>
    public const string RegistryName = "dissensus";

    /// <inheritdoc />
    protected override AttackState? CraftRows(in AttackContext context, Span<float> output)
    {
        var honest = context.HonestUpdates;
        int d = context.Dimension;
        bool weighted = !context.HonestWeights.IsEmpty && context.ByzantineWeight > 0;
        double byzantineWeight = weighted ? context.ByzantineWeight : Math.Max(1, context.ByzantineCount);
        double[] rented = System.Buffers.ArrayPool<double>.Shared.Rent(d);
        try
        {
            var sum = rented.AsSpan(0, d);
            sum.Clear();
            for (int row = 0; row < honest.Rows; row++)
            {
                double w = weighted ? context.HonestWeights[row] : 1.0;
                var values = honest[row];
                for (int k = 0; k < d; k++)
                {
                    sum[k] += w * values[k];
                }
            }

            double scale = -Options.Epsilon / byzantineWeight;
            for (int k = 0; k < d; k++)
            {
                output[k] = (float)(scale * sum[k]);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }

        return null;
    }
}
