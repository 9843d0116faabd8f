namespace ByzantineSim.Attacks.Tests;

/// <summary>
/// The attack cases of the differential oracle (see ByzantineSim.Aggregators.Tests.OracleTests
/// and <see cref="OracleCases"/>): the attack crafts its f rows from the case's honest rows, and
/// every Byzantine row must agree with the reference vector to 1e-4 (1 + |reference|).
/// </summary>
public class OracleTests
{
    public static IEnumerable<object[]> AttackCases => OracleCases.Keys("attack");

    [Theory]
    [MemberData(nameof(AttackCases))]
    public void Attack_OracleCase_AgreesWithTheReference(string key)
    {
        var c = OracleCases.Get(key);
        IAttack attack;
        try
        {
            attack = BuiltInAttacks.Create(c.Name, new AttackPopulation(c.N, c.F), c.Options);
        }
        catch (ArgumentException e)
        {
            throw new Xunit.Sdk.XunitException($"{c}: cannot express attack '{c.Name}': {e.Message}");
        }

        // A case with f = 0 still gives the vector the attack would send (computed from the n
        // honest rows); it is crafted as one Byzantine row beside them.
        int honest = c.N - c.F;
        int rows = Math.Max(1, c.F);
        Assert.True(c.Inputs.Length == honest * c.D, $"{c}: expected {honest} honest rows of {c.D}, got {c.Inputs.Length} values");

        float[] Run(float[] inputs)
        {
            var output = new float[rows * c.D];
            var context = new AttackContext
            {
                Round = 0,
                Seed = 0,
                TotalClients = honest + rows,
                ByzantineCount = rows,
                Dimension = c.D,
                HonestUpdates = new RowMatrix(inputs, honest, c.D),
            };
            attack.Craft(context, output);
            return output;
        }

        // Every Byzantine row is compared: the reference's single vector is what each one sends.
        var ours = Run(c.Inputs);
        for (int row = 0; row < rows; row++)
        {
            int r = row;
            string? failure = OracleComparison.Check(c, ours[(r * c.D)..((r + 1) * c.D)], inputs => Run(inputs)[(r * c.D)..((r + 1) * c.D)]);
            Assert.True(failure is null, failure);
        }
    }
}
