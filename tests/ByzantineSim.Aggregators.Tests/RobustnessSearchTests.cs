using System.Globalization;
using System.Text.RegularExpressions;
using ByzantineSim.Aggregators.Robustness;
using ByzantineSim.Testing;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// The empirical-kappa search of <c>byzsim robustness</c> (<see cref="RobustnessSearch"/>): the
/// lower-bound construction of Allouah et al. (AISTATS 2023, arXiv 2302.01772) attains its
/// hand-computed ratio, the search reaches kappa &gt;= f / (n - 2f) in cells the Byzantine-only
/// search left below it, and the committed docs/ROBUSTNESS.md is what the code writes.
/// </summary>
public class RobustnessSearchTests
{
    private static readonly double[] Offset = [1, 2, -1, 0.5, 3];

    /// <summary>
    /// The trimmed-mean, median and MDA cells both theories below check, each with the ratio the
    /// lower-bound construction reaches there (hand-computed below): the construction's exact value
    /// and the search's target.
    /// </summary>
    public static TheoryData<string, int, int, double> LowerBoundCells => new()
    {
        { "trimmed-mean", 10, 2, 1.0 / 3 },
        { "trimmed-mean", 25, 2, 2.0 / 21 },
        { "median", 25, 5, 1.0 / 3 },
        { "mda", 25, 2, 2.0 / 21 },
    };

    /// <summary>
    /// The construction at the origin: honest = f copies of x and n - 2f zeros, Byzantine = f zeros.
    /// Honest mean m = f x / (n - f); honest variance (f ||x - m||^2 + (n - 2f) ||m||^2) / (n - f)
    /// = f (n - 2f) ||x||^2 / (n - f)^2. Trimmed mean (drop the f largest and f smallest values of
    /// each coordinate, leaving n - 2f zeros), median (n - f of n values are 0) and MDA (the n - f
    /// zeros are the only subset of diameter 0) all return 0, so the ratio is ||m||^2 / variance
    /// = f / (n - 2f): at n = 10, f = 2: m = x/4, variance 3/16 ||x||^2, error 1/16 ||x||^2, ratio
    /// 1/3; at n = 25, f = 2: m = 2x/23, variance 42/529 ||x||^2, error 4/529 ||x||^2, ratio 2/21;
    /// at n = 25, f = 5: m = x/4, variance 75/400 = 3/16 ||x||^2, ratio 1/3. The mean returns
    /// f x / n, off m by f x (1/(n - f) - 1/n) = f^2 x / (n (n - f)): at n = 10, f = 2 that is
    /// x/20, error 1/400 ||x||^2 over 3/16 ||x||^2: ratio 1/75.
    /// </summary>
    [Theory]
    [MemberData(nameof(LowerBoundCells))]
    [InlineData("mean", 10, 2, 1.0 / 75)]
    public void LowerBoundConstruction_AtTheOrigin_HasTheHandComputedRatio(string rule, int n, int f, double expected)
    {
        var data = new float[n * Offset.Length];
        ExtremalInputs.LowerBound(data, n, f, new double[Offset.Length], Offset);

        double ratio = RobustnessSearch.Ratio(BuiltInAggregators.CreatePipeline(rule, f), new RowMatrix(data, n, Offset.Length), n - f, default);

        // The rules compute in float32: equal to six significant digits.
        Assert.Equal(expected, ratio, expected * 1e-6);
    }

    [Fact]
    public void Ratio_RuleRefusesTheInput_IsNaN()
    {
        // Bulyan needs n >= 4f + 3: at n = 10, f = 2 it throws AggregationException, which the search counts as no answer.
        var data = new float[10 * Offset.Length];
        ExtremalInputs.LowerBound(data, 10, 2, new double[Offset.Length], Offset);

        Assert.True(double.IsNaN(RobustnessSearch.Ratio(BuiltInAggregators.CreatePipeline("bulyan", 2), new RowMatrix(data, 10, Offset.Length), 8, default)));
    }

    [Fact]
    public void LowerBoundOffsetLength_GivesTheHonestSetTheRequestedVariance()
    {
        // n = 10, f = 2: variance f (n - 2f) / (n - f)^2 L^2 = 12/64 L^2 = 5 when L^2 = 80/3.
        Assert.Equal(Math.Sqrt(80.0 / 3), ExtremalInputs.LowerBoundOffsetLength(10, 2, 5), 12);
    }

    /// <summary>
    /// Cells the search over Byzantine inputs alone left below f / (n - 2f) (docs/ROBUSTNESS.md
    /// before the honest inputs were searched: trimmed mean 0.300 at 10/2, 0.044 at 25/2; median
    /// 0.323 at 25/5; MDA 0.081 at 25/2; nnm &gt; trimmed mean 0.092 at 25/2), on a small budget.
    /// </summary>
    [Theory]
    [MemberData(nameof(LowerBoundCells))]
    [InlineData("nnm>trimmed-mean", 25, 2, 2.0 / 21)]
    public void Search_SmallBudget_ReachesTheLowerBound(string rule, int n, int f, double lowerBound)
    {
        var result = RobustnessSearch.Run(rule, n, f, new RobustnessSearchOptions(Restarts: 4, Steps: 60));

        Assert.True(result.EmpiricalKappa >= lowerBound * (1 - 1e-6), $"{rule} {n}/{f}: empirical kappa {result.EmpiricalKappa} < {lowerBound}");
    }

    [Fact]
    public void Search_SameOptions_SameResultAndEvaluations()
    {
        var options = new RobustnessSearchOptions(Restarts: 3, Steps: 40, Seed: 7);

        var first = RobustnessSearch.Run("krum", 10, 2, options);
        var second = RobustnessSearch.Run(["krum", "median"], [(10, 2)], options)[0];

        Assert.Equal(first, second);
        Assert.True(first.Evaluations > 3, $"{first.Evaluations} evaluations");
    }

    /// <summary>
    /// docs/ROBUSTNESS.md is generated: its text before the table is what the code writes for the
    /// command it names at the default budget, and every cell the search reached reaches f / (n - 2f) (up to the table's
    /// three decimals).
    /// </summary>
    [Fact]
    public void RobustnessDoc_MatchesTheCodeAndEveryCellReachesTheLowerBound()
    {
        string doc = File.ReadAllText(Path.Combine(OracleCases.RepositoryRoot(), "docs", "ROBUSTNESS.md")).ReplaceLineEndings("\n");
        // The command line it names (the rules given, if not every default one) with the default budget.
        string command = Regex.Match(doc, "Generated by `([^`]*)`").Groups[1].Value;
        Assert.StartsWith("./byzsim robustness ", command, StringComparison.Ordinal);
        Assert.EndsWith(" --markdown docs/ROBUSTNESS.md", command, StringComparison.Ordinal);
        string header = RobustnessReport.ToMarkdown([], new RobustnessSearchOptions(), command).ReplaceLineEndings("\n");
        Assert.StartsWith(header, doc, StringComparison.Ordinal);

        var rows = doc[header.Length..].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToArray();
        Assert.NotEmpty(rows);
        var below = rows
            .Where(cells => double.TryParse(cells[3], CultureInfo.InvariantCulture, out double empirical)
                && empirical < double.Parse(cells[^1], CultureInfo.InvariantCulture))
            .Select(cells => string.Join(" ", cells))
            .ToArray();
        Assert.Empty(below);
    }
}
