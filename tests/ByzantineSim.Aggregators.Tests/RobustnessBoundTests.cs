using ByzantineSim.Aggregators.Robustness;
using ByzantineSim.Testing;
using FsCheck.Xunit;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// The (f, kappa)-robustness inequality with the coefficients proven by Allouah, Farhadkhani,
/// Guerraoui, Gupta, Pinot, Stephan, "Fixing by Mixing", AISTATS 2023, arXiv 2302.01772
/// (Table 1 / Proposition 2 and Lemma 1), as encoded in <see cref="ProvenBounds"/>:
/// Krum 6 (1 + f/(n-2f)); CWTM 6 f/(n-2f) (1 + f/(n-2f)); CWMed and GM 4 (1 + f/(n-2f))^2;
/// NNM before a rule with coefficient kappa: 8 f/(n-f) (kappa + 1).
/// </summary>
public class RobustnessBoundTests
{
    /// <summary>The rules with a proven coefficient, set up as the paper defines them.</summary>
    public static IEnumerable<RuleUnderTest> Rules =>
    [
        // The paper's Krum scores with the n - f nearest neighbours, itself included: n - f - 1 others.
        new("krum", new Dictionary<string, string> { ["neighbours"] = "n-f-1" }, true, null),
        new("trimmed-mean", new Dictionary<string, string>(), true, null),
        new("median", new Dictionary<string, string>(), true, null),

        // The bound is for the exact geometric median: enough Weiszfeld iterations with a tiny nu.
        new("geometric-median", new Dictionary<string, string> { ["nu"] = "1e-9", ["iterations"] = "500" }, true, null),
        new("nnm>krum", new Dictionary<string, string> { ["neighbours"] = "n-f-1" }, true, null),
        new("nnm>trimmed-mean", new Dictionary<string, string>(), true, null),
        new("nnm>median", new Dictionary<string, string>(), true, null),
        new("nnm>geometric-median", new Dictionary<string, string> { ["nu"] = "1e-9", ["iterations"] = "500" }, true, null),
    ];

    [Property(MaxTest = 60, Arbitrary = [typeof(RobustnessArbitraries)])]
    public bool ProvenRules_AdversarialByzantineRows_SatisfyTheirKappa(AggregatorScenario scenario)
    {
        var failures = new List<string>();
        foreach (var rule in Rules)
        {
            int n = scenario.N, f = scenario.F;
            bool paperKrum = rule.Options.Values.Contains("n-f-1");
            if (2 * f >= n || (paperKrum && n - f - 1 < 1))
            {
                continue;
            }

            var concrete = rule with { Options = rule.Options.ToDictionary(p => p.Key, p => p.Value == "n-f-1" ? $"{n - f - 1}" : p.Value) };
            double kappa = ProvenBounds.Kappa(rule.Spec, n, f) ?? throw new InvalidOperationException($"no bound for {rule.Spec}");
            if (AggregatorLaws.Robustness(concrete, kappa, scenario) is { } failure)
            {
                failures.Add(failure);
            }
        }

        return failures.Count == 0 ? true : throw new Xunit.Sdk.XunitException(string.Join("\n", failures));
    }

    /// <summary>
    /// The coefficients worked by hand from the paper's formulas at n = 10, f = 2 (r = f / (n - 2f)
    /// = 1/3) and n = 25, f = 5 (r = 1/3 too, so NNM's factor 8 f / (n - f) alone differs):
    /// Krum 6 (4/3) = 8; CWTM 6 (1/3)(4/3) = 8/3; CWMed and GM 4 (16/9) = 64/9;
    /// NNM > Krum 8 (2/8)(8 + 1) = 18 at n = 10 and 8 (5/20)(9) = 18 at n = 25;
    /// NNM > CWTM 2 (8/3 + 1) = 22/3. The lower bound r = 1/3.
    /// </summary>
    [Theory]
    [InlineData("krum", 10, 2, 8.0)]
    [InlineData("trimmed-mean", 10, 2, 8.0 / 3)]
    [InlineData("median", 10, 2, 64.0 / 9)]
    [InlineData("geometric-median", 10, 2, 64.0 / 9)]
    [InlineData("nnm>krum", 10, 2, 18.0)]
    [InlineData("nnm>krum", 25, 5, 18.0)]
    [InlineData("nnm>trimmed-mean", 10, 2, 22.0 / 3)]
    public void ProvenBounds_Kappa_MatchesHandComputedCoefficient(string spec, int n, int f, double expected)
    {
        Assert.Equal(expected, ProvenBounds.Kappa(spec, n, f)!.Value, 12);
        Assert.Equal(1.0 / 3, ProvenBounds.LowerBound(n, f), 12);
    }

    [Theory]
    [InlineData("cge")]
    [InlineData("bucketing>krum")]
    public void ProvenBounds_RuleWithoutAProof_HasNoKappa(string spec) => Assert.Null(ProvenBounds.Kappa(spec, 10, 2));
}
