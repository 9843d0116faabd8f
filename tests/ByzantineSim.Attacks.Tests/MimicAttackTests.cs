using ByzantineSim.Attacks.Mimic;
using static ByzantineSim.Attacks.Tests.AttackTestKit;

namespace ByzantineSim.Attacks.Tests;

/// <summary>
/// Hand-computed mimic cases. Round 0 rows (3,0), (0,0), (0,0): mu = (1,0), the deviations
/// (2,0), (-1,0), (-1,0) span only the first axis, so z = (+-1, 0) whatever the random start,
/// and client 0 has the largest |projection| 3. Round 1 rows (0,0), (0,4), (0,0) with a
/// two-round warm-up: mu = ((1,0) + (0,4/3)) / 2 = (0.5, 2/3); with z = s(1,0) every
/// deviation has weight -0.5 s, so the new term is normalise(s(0.75, -1)) = s(0.6, -0.8) and
/// z = normalise((s(1,0) + s(0.6,-0.8)) / 2) = s(0.894427, -0.447214); client 1 projects 1.789.
/// </summary>
public class MimicAttackTests
{
    private static readonly float[][] Round0 = [[3, 0], [0, 0], [0, 0]];
    private static readonly float[][] Round1 = [[0, 0], [0, 4], [0, 0]];

    private static IAttack Mimic(int warmup) =>
        BuiltInAttacks.Create("mimic", new(5, 2), new Dictionary<string, string> { ["warmup"] = warmup.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Fact]
    public void FirstRound_CopiesTheClientAlongTheDirectionOfLargestVariance()
    {
        var output = Craft(Mimic(1), Round0, 2, 5, out var state, seed: 3);
        Assert.Equal([3f, 0f, 3f, 0f], output);
        var mimic = Assert.IsType<MimicState>(state);
        Assert.Equal((1, 0), (mimic.Step, mimic.Target));
        Assert.Equal(1f, Math.Abs(mimic.Direction.Span[0]), 5);
        Assert.Equal(0f, mimic.Direction.Span[1], 5);
        Assert.Equal([1f, 0f], mimic.Mean.Span.ToArray());
    }

    [Fact]
    public void SecondWarmupRound_UpdatesMeanAndDirectionByTheStreamingFormula()
    {
        Craft(Mimic(2), Round0, 2, 5, out var state, seed: 3);
        var output = Craft(Mimic(2), Round1, 2, 5, out var next, state: state);
        var mimic = Assert.IsType<MimicState>(next);
        float sign = Math.Sign(((MimicState)state!).Direction.Span[0]);
        Assert.Equal(0.5f, mimic.Mean.Span[0], 5);
        Assert.Equal(2f / 3, mimic.Mean.Span[1], 5);
        Assert.Equal(sign * 0.894427f, mimic.Direction.Span[0], 5);
        Assert.Equal(sign * -0.447214f, mimic.Direction.Span[1], 5);
        Assert.Equal(1, mimic.Target);
        Assert.Equal([0f, 4f, 0f, 4f], output);
    }

    [Fact]
    public void AfterWarmup_TargetStaysFixed()
    {
        Craft(Mimic(1), Round0, 2, 5, out var state, seed: 3);
        // Client 1 now projects most, but the warm-up is over: the coalition keeps copying client 0.
        var output = Craft(Mimic(1), [[0.5f, 0], [9, 0], [0, 0]], 2, 5, out var next, state: state);
        Assert.Equal([0.5f, 0f, 0.5f, 0f], output);
        Assert.Equal(0, ((MimicState)next!).Target);
        Assert.Equal(2, ((MimicState)next).Step);
    }

    [Fact]
    public void AfterWarmup_TargetMissing_CopiesTheBestRemainingClient()
    {
        Craft(Mimic(1), Round0, 2, 5, out var state, seed: 3);
        // Client 0 did not reply: rows are clients 1 and 2.
        var output = Craft(Mimic(1), [[-7, 0], [1, 0]], 2, 5, out _, state: state, honestIds: [1, 2]);
        Assert.Equal([-7f, 0f, -7f, 0f], output);
    }

    private static IAttack MimicTarget(int target) =>
        BuiltInAttacks.Create("mimic", new(5, 2), new Dictionary<string, string> { ["target"] = target.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Fact]
    public void FixedTarget_CopiesThatClientEveryRound_NotTheOneTheDirectionPicks()
    {
        // The direction picks client 0 in Round0 and client 1 in Round1; target 2 copies client 2 in both.
        var first = Craft(MimicTarget(2), [[3, 0], [0, 0], [1, 2]], 2, 5, out var state, seed: 3);
        Assert.Equal([1f, 2f, 1f, 2f], first);
        Assert.Null(state);
        var second = Craft(MimicTarget(2), [[0, 0], [0, 4], [-5, 6]], 2, 5, out _, state: state);
        Assert.Equal([-5f, 6f, -5f, 6f], second);
    }

    [Fact]
    public void FixedTarget_ByClientId_NotByRow()
    {
        // Rows are clients 1, 3 and 4: target 3 is the second row.
        var output = Craft(MimicTarget(3), [[1, 1], [7, 8], [2, 2]], 2, 7, out _, honestIds: [1, 3, 4]);
        Assert.Equal([7f, 8f, 7f, 8f], output);
    }

    [Fact]
    public void FixedTarget_Missing_CopiesTheLowestIdHonestReply()
    {
        var output = Craft(MimicTarget(0), [[-7, 1], [1, 0]], 2, 5, out _, honestIds: [1, 2]);
        Assert.Equal([-7f, 1f, -7f, 1f], output);
    }

    [Fact]
    public void FixedTarget_NotAClientId_IsABindError()
    {
        Assert.Contains("must be a client id below n = 5", CreateError("mimic", new(5, 2), new Dictionary<string, string> { ["target"] = "5" }));
        Assert.Contains("must be >= 0", CreateError("mimic", new(5, 2), new Dictionary<string, string> { ["target"] = "-1" }));
    }

    [Fact]
    public void SameSeed_SameState()
    {
        Craft(Mimic(3), Round0, 2, 5, out var a, seed: 11);
        Craft(Mimic(3), Round0, 2, 5, out var b, seed: 11);
        Assert.Equal(((MimicState)a!).Direction, ((MimicState)b!).Direction);
    }
}
