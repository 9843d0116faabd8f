using ByzantineSim.Attacks.Groups;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// Byzantine identities that change (rotating every period, random every round), mixed attacker
/// groups and unreliable clients, end to end: the schedule, the ground truth the detection is
/// counted against, the roles recorded per client, and byte-identical records whatever the
/// number of trainers.
/// </summary>
public class ChangingIdentitiesTests
{
    private const int Honest = 7;
    private const int Byzantine = 2;
    private const int Total = Honest + Byzantine;

    private static IdentitySettings Rotating(int period) => new(IdentityMode.Rotating, period, Byzantine, 0, true);

    [Fact]
    public void Rotating_SetChangesExactlyAtPeriodBoundaries()
    {
        var identities = new IdentitySettings(IdentityMode.Rotating, 4, 3, 0, true);
        var sets = Enumerable.Range(0, 40).Select(t => identities.At(t, 12, 3, 99)).ToList();
        Assert.All(sets, set => Assert.Equal(3, set.Distinct().Count(id => id is >= 0 and < 12)));
        for (int t = 1; t < sets.Count; t++)
        {
            bool same = sets[t].SequenceEqual(sets[t - 1]);
            Assert.True(same == (t % 4 != 0), $"round {t}: [{string.Join(", ", sets[t])}] after [{string.Join(", ", sets[t - 1])}]");
        }

        // Four periods of 3 go once through all 12 clients, then the order repeats.
        Assert.Equal(Enumerable.Range(0, 12), Enumerable.Range(0, 4).SelectMany(p => sets[p * 4]).Order());
        Assert.Equal(sets[0].ToArray(), sets[16].ToArray());
        Assert.NotEqual(sets[0].ToArray(), identities.At(0, 12, 3, 100).ToArray());
    }

    [Fact]
    public void Random_CountOrFraction_ADrawPerRound()
    {
        var count = new IdentitySettings(IdentityMode.Random, 0, 2, 0, true);
        var byCount = Enumerable.Range(0, 50).Select(t => count.At(t, 10, 2, 7)).ToList();
        Assert.All(byCount, set => Assert.Equal(2, set.Length));
        Assert.True(byCount.Select(s => string.Join(",", s)).Distinct().Count() > 20);

        var fraction = new IdentitySettings(IdentityMode.Random, 0, 0, 0.2, true);
        var sizes = Enumerable.Range(0, 400).Select(t => fraction.At(t, 10, 2, 7).Length).ToList();
        Assert.InRange(sizes.Average(), 1.7, 2.3);
        Assert.True(sizes.Distinct().Count() >= 4, "the number of Byzantine clients varies from round to round");
        Assert.Equal(Enumerable.Range(7, 2), IdentitySettings.Fixed.At(3, 9, 2, 1));
    }

    [Fact]
    public async Task Rotating_DetectionCountedAgainstTheRoundsByzantineSet()
    {
        // FLTrust gives the sign-flippers trust 0 each round (stateless), so it flags every one
        // of the round's Byzantine clients (and now and then an honest one): ids below 7 in most
        // periods, which a ground truth of "the last f ids" would count as false positives.
        await using var simulator = SimulatorSystem.Create(2, "rotating-detection");
        var attack = BuiltInAttacks.Create("sign-flip", new AttackPopulation(Total, Byzantine));
        var setup = TinyRun.Setup("fltrust", attack, Honest, Byzantine, rounds: 9) with { Identities = Rotating(3) };
        var result = await simulator.RunAsync(setup);
        foreach (var round in result.Rounds)
        {
            var truth = setup.Identities.At(round.Round, Total, Byzantine, setup.Seed);
            var detection = Assert.IsType<RoundDetection>(round.Detection);
            Assert.Subset(detection.Flagged.ToHashSet(), truth.ToHashSet());
            int caught = detection.Flagged.Count(truth.Contains);
            Assert.Equal((caught, detection.Flagged.Length - caught, truth.Length - caught), (detection.TruePositives, detection.FalsePositives, detection.FalseNegatives));
            Assert.Equal(Byzantine, detection.TruePositives);
        }

        Assert.Contains(result.Rounds, r => r.Detection!.Flagged.Any(id => id < Honest));
        var expectedRounds = Enumerable.Range(0, Total).Select(id => Enumerable.Range(0, 9).Count(t => setup.Identities.At(t, Total, Byzantine, setup.Seed).Contains(id)));
        Assert.Equal(expectedRounds, result.Clients.Select(c => c.ByzantineRounds));
        Assert.All(result.Clients, c => Assert.Equal(c.ByzantineRounds > 0, c.Byzantine));
        Assert.All(result.Clients, c => Assert.Equal(ClientRoles.Honest, c.Role));
    }

    private static RunSetup Mixed(IdentitySettings identities)
    {
        var mixture = new AttackGroups([
            new AttackGroup("flip", 1, BuiltInAttacks.Create("sign-flip", new AttackPopulation(Total, 1))),
            new AttackGroup("labels", 1, BuiltInAttacks.Create("label-flip", new AttackPopulation(Total, 1, Classes: 4))),
        ]);
        return TinyRun.Setup("median", mixture, Honest, Byzantine, rounds: 8, workerMomentum: 0.9) with
        {
            Identities = identities,
            Unreliable = new UnreliableSettings(2, 0, DegradationKind.Noise, 0.5),
        };
    }

    private static async Task<string> Records(RunSetup setup, int trainers)
    {
        await using var simulator = SimulatorSystem.Create(trainers, $"changing-{trainers}");
        var result = await simulator.RunAsync(setup);
        return string.Join(";", result.Rounds.Select(r => $"{r.Round},{r.TrainLoss:R},{r.Aggregated}"))
            + "|" + string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TestAccuracy:R},{e.TestLoss:R}"))
            + "|" + string.Join(";", result.Clients.Select(c => $"{c.ClientId},{c.Role},{c.ByzantineRounds}"));
    }

    [Theory]
    [InlineData(IdentityMode.Rotating)]
    [InlineData(IdentityMode.Random)]
    public async Task MixedGroupsAndUnreliable_OneOrTwoTrainers_IdenticalRecords(IdentityMode mode)
    {
        var setup = Mixed(mode == IdentityMode.Rotating ? Rotating(3) : new IdentitySettings(IdentityMode.Random, 0, Byzantine, 0, true));
        Assert.Equal(await Records(setup, 1), await Records(setup, 2));
    }

    [Fact]
    public async Task FixedMixedGroups_RolesNameEachGroupAndTheUnreliableClients()
    {
        var setup = Mixed(IdentitySettings.Fixed);
        await using var simulator = SimulatorSystem.Create(2, "mixed-roles");
        var result = await simulator.RunAsync(setup);
        var unreliable = new UnreliableSettings(2, 0, DegradationKind.Noise, 0.5).Clients(Honest, setup.Seed);
        var expected = Enumerable.Range(0, Honest).Select(id => unreliable.Contains(id) ? ClientRoles.Unreliable : ClientRoles.Honest)
            .Concat([ClientRoles.Byzantine("flip"), ClientRoles.Byzantine("labels")]);
        Assert.Equal(expected, result.Clients.Select(c => c.Role));
        Assert.Equal(2, result.Clients.Count(c => c.Role == ClientRoles.Unreliable));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 8, 8], result.Clients.Select(c => c.ByzantineRounds));
    }
}
