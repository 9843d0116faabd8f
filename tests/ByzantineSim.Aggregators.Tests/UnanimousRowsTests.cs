namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// Through the pipeline a spec builds, every rule returns x when all n rows are x: nothing is
/// Byzantine-looking, so nothing may be filtered, weighted away or rescaled. This is the one
/// agreement statement that holds for the detection heuristics (DnC, SignGuard, clipped
/// clustering, FLAME without its noise) and the weighting rules (FLTrust, MUD-HoG) too, which the
/// agreement law skips because a Byzantine row they miss moves them; a rule whose output was
/// replaced with zeros fails it. Two rules return something else by definition: the Flag
/// Aggregator's output Y Y^T sum_i u_i / r is built from the unit rows u_i = x / ||x||, so it is
/// n x / (r ||x||); FoolsGold gives identical rows, its sybils, weight 0.
/// </summary>
public class UnanimousRowsTests
{
    public static TheoryData<string> Rules() => [.. BuiltInAggregators.Aggregators.Names.Where(name => name is not ("foolsgold" or "flag"))];

    [Theory]
    [MemberData(nameof(Rules))]
    public void EveryRule_AllRowsEqual_ReturnsThatRow(string rule)
    {
        const int n = 11, f = 2, d = 7;
        float[] x = [0.5f, -1.25f, 2f, 0.75f, -0.125f, 3f, -2.5f];
        var data = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            x.CopyTo(data, i * d);
        }

        var output = new float[d];
        var context = AggregationContext.Stateless with { ServerUpdate = x };
        var options = rule == "flame" ? new Dictionary<string, string> { ["lambda"] = "0" } : new Dictionary<string, string>();
        new AggregationPipeline(BuiltInAggregators.Create(rule, f, options)).Aggregate(Matrices.View(data, n), output, context);
        for (int k = 0; k < d; k++)
        {
            Assert.True(Math.Abs(output[k] - x[k]) <= 1e-4 * (1 + Math.Abs(x[k])), $"{rule}: coordinate {k} is {output[k]}, not {x[k]}");
        }
    }

    [Fact]
    public void Flag_AllRowsEqual_ReturnsNTimesTheUnitRowOverTheRank()
    {
        const int n = 11, d = 3;
        float[] x = [3, -4, 12]; // ||x|| = 13
        var data = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            x.CopyTo(data, i * d);
        }

        var output = new float[d];
        BuiltInAggregators.CreatePipeline("flag", 2).Aggregate(Matrices.View(data, n), output, AggregationContext.Stateless);
        Assert.Equal([11f * 3 / 13, 11f * -4 / 13, 11f * 12 / 13], output, new FloatComparer(1e-5f));
    }

    /// <summary>
    /// FoolsGold on three orthogonal rows: no two are alike, so every weight is 1 and the output is
    /// (1/n) sum_i x_i, here (1/3, 1/3, 1/3) (Fung et al., Algorithm 1, with the authors' 1/n).
    /// </summary>
    [Fact]
    public void FoolsGold_OrthogonalRows_AveragesThemAll()
    {
        float[] data = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        var output = new float[3];
        BuiltInAggregators.CreatePipeline("foolsgold", 1).Aggregate(Matrices.View(data, 3), output, AggregationContext.Stateless);
        Assert.All(output, value => Assert.Equal(1f / 3, value, 1e-6f));
    }
}
