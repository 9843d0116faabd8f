using System.Collections.Concurrent;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// What an omniscient attack reads: the vectors the honest clients send this round, which with
/// worker momentum are their momenta, not their raw gradients. The EPFL reference code of
/// Karimireddy, He, Jaggi (ICML 2021; epfml/byzantine-robust-optimizer, codes/attacks/alittle.py
/// and xie.py) computes ALIE's and IPM's statistics over the honest workers' get_gradient(),
/// which for WorkerWithMomentum is the momentum buffer m = beta m + g of the same round.
/// </summary>
public sealed class AttackViewTests() : SimulatorFixture("attack-view-tests")
{
    [Fact]
    public async Task HonestUpdates_WithSumMomentum_AreTheMomentaOfThisRound()
    {
        // With learning rate 0 the model never moves, so both runs draw the same minibatches and
        // compute the same gradients g_t; the momentum run must show the attack
        // m_1 = 0.9 g_0 + g_1 in round 1, where the plain run shows g_0 and g_1.
        var plain = await Record(momentum: 0);
        var withMomentum = await Record(momentum: 0.9);

        Assert.Equal(plain[0], withMomentum[0]);
        float[] expected = [.. plain[0].Zip(plain[1], (g0, g1) => (0.9f * g0) + g1)];
        Assert.Equal(expected.Length, withMomentum[1].Length);
        for (int j = 0; j < expected.Length; j++)
        {
            Assert.Equal(expected[j], withMomentum[1][j], 5);
        }

        Assert.NotEqual(plain[1], withMomentum[1]);
    }

    /// <summary>The honest rows the attack was shown in rounds 0 and 1, flattened.</summary>
    private async Task<float[][]> Record(double momentum)
    {
        var attack = new RecordingAttack();
        await Simulator.RunAsync(TinyRun.Setup("median", attack, rounds: 2, workerMomentum: momentum, learningRate: 0,
            training: t => t with { MomentumForm = MomentumForm.Sum }));
        return [attack.Seen[0], attack.Seen[1]];
    }

    /// <summary>An omniscient attack that keeps a copy of the honest rows of every round and sends zeros.</summary>
    private sealed class RecordingAttack : IAttack
    {
        public ConcurrentDictionary<int, float[]> Seen { get; } = new();

        public string Name => "recording";

        public AttackKnowledge Requires => AttackKnowledge.HonestUpdates;

        public AttackState? Craft(in AttackContext context, Span<float> output)
        {
            Seen[context.Round] = context.HonestUpdates.Data.ToArray();
            output.Clear();
            return null;
        }
    }
}
