using ByzantineSim.Attacks.Dissensus;

namespace ByzantineSim.Attacks.Tests;

/// <summary>The dissensus vector against its definition: the gossip step it provokes is (1 - eps) times the honest pull.</summary>
public class DissensusAttackTests
{
    private static float[] Craft(float[] honest, int f, float[] weights, double byzantineWeight, double eps = 1.5)
    {
        var output = new float[f * 2];
        new DissensusAttack(new DissensusOptions(eps)).Craft(
            new AttackContext
            {
                Round = 0, Seed = 1, TotalClients = (honest.Length / 2) + f, ByzantineCount = f, Dimension = 2,
                HonestUpdates = new RowMatrix(honest, honest.Length / 2, 2), HonestWeights = weights, ByzantineWeight = byzantineWeight,
            },
            output);
        return output;
    }

    [Fact]
    public void EqualWeights_SendMinusEpsTimesTheHonestSumOverF()
    {
        // rows [1, 2] and [3, 4]: sum [4, 6]; -1.5 * [4, 6] / 2 = [-3, -4.5], for both identities.
        Assert.Equal([-3f, -4.5f, -3f, -4.5f], Craft([1, 2, 3, 4], 2, [], 0));
    }

    [Fact]
    public void MetropolisWeights_TurnTheGossipStepInto1MinusEpsTimesThePull()
    {
        // Honest rows x_j - x_i with weights 0.2 and 0.3, one Byzantine neighbour of weight 0.5.
        float[] rows = [1, 2, 3, 4];
        var v = Craft(rows, 1, [0.2f, 0.3f], 0.5);
        Assert.Equal(-3.3f, v[0], 5);
        Assert.Equal(-4.8f, v[1], 5);
        for (int k = 0; k < 2; k++)
        {
            double pull = (0.2 * rows[k]) + (0.3 * rows[2 + k]);
            Assert.Equal((1 - 1.5) * pull, pull + (0.5 * v[k]), 5);
        }
    }
}
