using ByzantineSim.Attacks.Groups;

namespace ByzantineSim.Attacks.Tests;

/// <summary>
/// A mixed population crafts, for each group, exactly what that group's attack crafts alone for
/// its own count, own gradients and derived stream, in the group's rows.
/// </summary>
public class AttackGroupsTests
{
    private static readonly float[][] Honest = [[1, 2, 3], [3, 2, 1], [2, 2, 2]];

    private static readonly float[][] Own = [[9, 9, 9], [4, 5, 6], [7, 8, 9]];

    private static AttackGroups Mixture() => new([
        new AttackGroup("flip", 1, BuiltInAttacks.Create("sign-flip", new AttackPopulation(6, 1))),
        new AttackGroup("noise", 2, BuiltInAttacks.Create("gaussian", new AttackPopulation(6, 2), new Dictionary<string, string> { ["sigma"] = "0.5" })),
    ]);

    [Fact]
    public void Craft_EachGroupsRowsAreItsAttackAlone()
    {
        var mixed = AttackTestKit.Craft(Mixture(), Honest, f: 3, n: 6, out _, own: Own, seed: 42);

        // sign-flip: -mean(honest) = -(2, 2, 2).
        Assert.Equal([-2f, -2f, -2f], mixed[..3]);
        var gaussian = BuiltInAttacks.Create("gaussian", new AttackPopulation(6, 2), new Dictionary<string, string> { ["sigma"] = "0.5" });
        var alone = AttackTestKit.Craft(gaussian, Honest, f: 2, n: 6, out _, own: Own[1..], seed: Seed.Derive(42, "group", 1));
        Assert.Equal(alone, mixed[3..]);
    }

    [Fact]
    public void GroupOf_AndPoisoningOf_FollowTheGroupsInOrder()
    {
        var labelFlip = BuiltInAttacks.Create("label-flip", new AttackPopulation(6, 2, Classes: 4));
        var mixture = new AttackGroups([
            new AttackGroup("flip", 1, BuiltInAttacks.Create("sign-flip", new AttackPopulation(6, 1))),
            new AttackGroup("labels", 2, labelFlip),
        ]);
        Assert.Equal(["flip", "labels", "labels"], Enumerable.Range(0, 3).Select(mixture.GroupOf));
        Assert.Null(mixture.PoisoningOf(0));
        Assert.Equal(labelFlip.Poisoning, mixture.PoisoningOf(2));
        Assert.Equal(labelFlip.Poisoning, mixture.Poisoning);
        Assert.Equal(AttackKnowledge.HonestUpdates | AttackKnowledge.OwnGradients, mixture.Requires);
    }

    [Fact]
    public void Groups_OfSilentAttacks_AreRefused() =>
        Assert.Throws<ArgumentException>(() => new AttackGroups([
            new AttackGroup("quiet", 1, BuiltInAttacks.Create("silent", new AttackPopulation(6, 1))),
        ]));
}
