using ByzantineSim.Attacks;
using ByzantineSim.Attacks.Alie;
using static ByzantineSim.Attacks.Tests.AttackTestKit;

namespace ByzantineSim.Attacks.Tests;

public class AttackFormulaTests
{
    [Fact]
    public void SignFlip_SendsNegatedHonestMean() =>
        Assert.Equal([-4f, -5f, -6f, -4f, -5f, -6f], Craft(BuiltInAttacks.Create("sign-flip", new(5, 2)), Matrices.ByzFlRows, 2, 5));

    [Fact]
    public void Alie_ByzFlTau15_MatchesByzFlUnitTest() =>
        // ByzFL's form mean + tau * std with ddof = 1: std = 3 on every coordinate.
        Assert.Equal([8.5f, 9.5f, 10.5f], Craft(BuiltInAttacks.Create("alie", new(4, 1), new Dictionary<string, string> { ["tau"] = "1.5" }), Matrices.ByzFlRows, 1, 4));

    [Fact]
    public void Alie_FixedZ_SubtractsZStd() =>
        Assert.Equal([1f, 2f, 3f], Craft(BuiltInAttacks.Create("alie", new(4, 1), new Dictionary<string, string> { ["z"] = "1" }), Matrices.ByzFlRows, 1, 4));

    [Fact]
    public void Alie_EpflFormula_N25F5_Gives0253()
    {
        // s = floor(25/2 + 1) - 5 = 8; z = Phi^-1((25 - 5 - 8) / (25 - 5)) = Phi^-1(0.6).
        var options = new AlieOptions(null, null, "epfl");
        Assert.Equal(-0.2533, options.Factor(25, 5), 4);
    }

    [Fact]
    public void Alie_PaperFormula_N25F5()
    {
        // s = 8; z = Phi^-1((25 - 8) / 25) = Phi^-1(0.68).
        Assert.Equal(-0.4677, new AlieOptions(null, null, "paper").Factor(25, 5), 4);
    }

    [Fact]
    public void Alie_ZAndTau_IsAnError()
    {
        Assert.Contains("give either z or tau, not both", CreateError("alie", new(4, 1), new Dictionary<string, string> { ["tau"] = "1.5", ["z"] = "1" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Gaussian_PerClientDraws_DifferAndHaveRequestedMoments()
    {
        var attack = BuiltInAttacks.Create("gaussian", new(10, 2), new Dictionary<string, string> { ["mean"] = "3", ["sigma"] = "2" });
        var output = Craft(attack, [new float[20_000]], 2, 10, seed: 9);
        var first = output.AsSpan(0, 20_000).ToArray();
        var second = output.AsSpan(20_000).ToArray();
        Assert.NotEqual(first, second);
        double mean = first.Average(v => (double)v);
        double variance = first.Average(v => (v - mean) * (v - mean));
        Assert.Equal(3.0, mean, 1);
        Assert.Equal(4.0, variance, 0);
        Assert.Equal(output, Craft(attack, [new float[20_000]], 2, 10, seed: 9));
    }

    [Fact]
    public void Gaussian_Same_AllClientsSendOneDraw()
    {
        var attack = BuiltInAttacks.Create("gaussian", new(10, 3), new Dictionary<string, string> { ["same"] = "true" });
        var output = Craft(attack, [new float[50]], 3, 10);
        Assert.Equal(output.AsSpan(0, 50).ToArray(), output.AsSpan(100, 50).ToArray());
    }

    [Fact]
    public void SignFlip_WithoutHonestUpdates_ExplainsWhatIsMissing()
    {
        var attack = BuiltInAttacks.Create("sign-flip", new(5, 1));
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var context = new AttackContext { Round = 0, Seed = 0, TotalClients = 5, ByzantineCount = 1, Dimension = 3 };
            attack.Craft(context, new float[3]);
        });
        Assert.Contains("honest updates", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MeanAndStd_UsesSampleStd()
    {
        var mean = new float[3];
        var std = new float[3];
        var data = Matrices.Flatten(Matrices.ByzFlRows);
        AttackKernels.MeanAndStd(Matrices.View(data, 3), mean, std);
        Assert.Equal([4f, 5f, 6f], mean);
        Assert.Equal([3f, 3f, 3f], std, new FloatComparer(1e-6f));
        Assert.True(VectorMath.IsFinite(std));
    }
}
