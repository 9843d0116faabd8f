namespace ByzantineSim.Simulator.Tests;

/// <summary>One simulator shared by the extreme-attack runs.</summary>
public sealed class ExtremeAttackFixture() : SimulatorFixture("extreme");

/// <summary>
/// The reliability issue's end-to-end check: every rule that claims robustness (each registered
/// aggregator but mean, FoolsGold and MUD-HoG, and the norm-bounding pre-aggregators before mean) against the most
/// extreme Byzantine updates a run can receive, n = 11 with f = 2, through the real actors: the
/// model stays finite in every round. Each run also asserts that the attack reached the server
/// the way it should (aggregated, rejected or missing), so it cannot pass by never attacking.
/// </summary>
public sealed class ExtremeAttackTests(ExtremeAttackFixture fixture) : IClassFixture<ExtremeAttackFixture>
{
    private const int Honest = 9;
    private const int Byzantine = 2;

    public static TheoryData<string, string> Cases()
    {
        // FoolsGold and MUD-HoG claim no honest-majority robustness (MUD-HoG averages every update
        // during its warm-up): their aggregates stay finite, but a 1e20 step does not leave a
        // finite model, so they are not among these rules.
        var rules = BuiltInAggregators.Aggregators.Names.Where(name => name is not ("mean" or "foolsgold" or "mud-hog"))
            .Concat(["clipping>mean", "arc>mean", "nnm>krum", "bucketing>median"]);
        var data = new TheoryData<string, string>();
        foreach (string rule in rules)
        {
            foreach (string attack in new[] { "gaussian:-1e20", "gaussian:1e20", "gaussian:-3e38", "nan", "inf", "wrong-length", "silent" })
            {
                data.Add(rule, attack);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RobustRule_ExtremeAttack_ModelStaysFinite(string rule, string attack)
    {
        var result = await fixture.Simulator.RunAsync(TinyRun.Setup(rule, Attack(attack), Honest, Byzantine, rounds: 5));

        Assert.All(result.Rounds, r => Assert.True(double.IsFinite(r.TrainLoss), $"round {r.Round}: train loss {r.TrainLoss}"));
        Assert.All(result.Evaluations, e => Assert.True(double.IsFinite(e.TestLoss), $"evaluation at round {e.Round}: test loss {e.TestLoss}"));
        var delivered = result.Rounds.Where(r => !r.AggregationFailed).ToList();
        switch (attack)
        {
            case "wrong-length":
                Assert.All(result.Rounds, r => Assert.Equal(Byzantine, r.Rejected));
                break;
            case "silent":
                Assert.All(result.Rounds, r => Assert.Equal(Byzantine, r.Missing));
                break;
            default:
                // NaN and Inf are passed to the rule (the default non_finite: pass), like the huge values.
                Assert.NotEmpty(delivered);
                Assert.All(delivered, r => Assert.Equal(Honest + Byzantine, r.Aggregated));
                break;
        }
    }

    private static IAttack Attack(string spec)
    {
        var population = new AttackPopulation(Honest + Byzantine, Byzantine, Classes: 4);
        if (spec.Split(':') is ["gaussian", var mean])
        {
            return BuiltInAttacks.Create("gaussian", population, new Dictionary<string, string> { ["mean"] = mean, ["same"] = "true" });
        }

        return BuiltInAttacks.Create(spec, population);
    }
}
