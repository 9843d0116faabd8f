using ByzantineSim.Attacks.MinMax;
using static ByzantineSim.Attacks.Tests.AttackTestKit;

namespace ByzantineSim.Attacks.Tests;

/// <summary>
/// Hand-computed cases on the one-dimensional honest updates 0, 2, 4: mean 2, unit and sign
/// directions +1, std 2; the honest diameter is 16 (squared), and the honest sums of squared
/// distances are 20, 8, 20.
/// </summary>
public class MinMaxAttackTests
{
    private static readonly float[][] Line = [[0], [2], [4]];

    private static float Single(string name, Dictionary<string, string>? options = null) =>
        Craft(BuiltInAttacks.Create(name, new(5, 2), options), Line, 2, 5)[0];

    [Theory]
    [InlineData("unit")]
    [InlineData("sign")]
    public void MinMax_UnitOrSign_ReachesLambda2(string direction) =>
        // m = 2 - lambda; its largest squared distance (lambda + 2)^2 <= 16 gives lambda = 2, m = 0.
        Assert.Equal(0f, Single("min-max", new() { ["direction"] = direction }), 4);

    [Fact]
    public void MinMax_Std_ReachesLambda1() =>
        // m = 2 - 2 lambda; (2 lambda + 2)^2 <= 16 gives lambda = 1, m = 0.
        Assert.Equal(0f, Single("min-max", new() { ["direction"] = "std" }), 4);

    [Fact]
    public void MinSum_MaxBound_ReachesLambda2() =>
        // sum of squared distances 8 + 3 lambda^2 <= max(20, 8, 20) gives lambda = 2.
        Assert.Equal(0f, Single("min-sum"), 4);

    [Fact]
    public void MinSum_MinBound_CannotMove() =>
        // 8 + 3 lambda^2 <= min(20, 8, 20) = 8 only at lambda = 0: the vector is the honest mean.
        Assert.Equal(2f, Single("min-sum", new() { ["bound"] = "min" }), 4);

    [Fact]
    public void Bisect_StopsWithinTolerance_AndNeverReturnsAFailingLambda()
    {
        // a_i, b_i, c of the line case with the unit direction.
        double lambda = MinMax.MinMax.Bisect([4, 0, 4], [2, 0, -2], 1, 16, sum: false, start: 10, tolerance: 1e-5);
        Assert.InRange(lambda, 2 - 1e-4, 2);
    }

    [Fact]
    public void MinMax_AllByzantineSendTheSameVector_WithinTheHonestDiameter()
    {
        var honest = Matrices.Gaussian(12, 50, 8);
        var rows = Enumerable.Range(0, 12).Select(i => honest.AsSpan(i * 50, 50).ToArray()).ToArray();
        var output = Craft(BuiltInAttacks.Create("min-max", new(15, 3)), rows, 3, 15);
        Assert.Equal(output.AsSpan(0, 50).ToArray(), output.AsSpan(100, 50).ToArray());
        double diameter = MinMax.MinMax.MaxPairwiseSquaredDistance(Matrices.View(honest, 12));
        Assert.All(rows, row => Assert.True(Core.Numerics.VectorMath.SquaredDistance(row, output.AsSpan(0, 50)) <= diameter * (1 + 1e-5)));
    }
}
