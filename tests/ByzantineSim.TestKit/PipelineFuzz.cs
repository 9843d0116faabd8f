using ByzantineSim.Aggregators.Robustness;
using ByzantineSim.Core.Numerics;
using ByzantineSim.Testing;

namespace ByzantineSim.TestKit;

/// <summary>
/// The fuzz law of the robust pipeline: with at most f adversarial rows of any
/// <see cref="AdversarialKind"/>, every pipeline that claims robustness returns a finite vector
/// on the honest rows' scale, and within the proven (f, kappa) bound where the rule has one. A
/// detection heuristic (<see cref="RuleUnderTest.Heuristic"/>) is held to a finite output only.
/// </summary>
public static class PipelineFuzz
{
    /// <summary>
    /// How far from the honest mean m an output may land, in units of R + ||m|| (R: the largest
    /// honest distance to m). CGE keeps rows no longer than the longest honest row, so its output
    /// is within 2 ||m|| + R of m; every other rule stays inside or near the honest hull. A leaked
    /// adversarial row is 1e14 times farther or more.
    /// </summary>
    public const double ScaleFactor = 2;

    /// <summary>
    /// Every robust aggregator alone, every pre-aggregator before every robust aggregator (rules
    /// that promise only a finite output are checked for that alone), and the
    /// two pre-aggregators that bound norms themselves (clipping, arc) before the plain mean: the
    /// pipelines of the reliability issue's reproduction.
    /// </summary>
    public static IReadOnlyList<RuleUnderTest> Pipelines { get; } = BuildPipelines();

    /// <summary>The violation for one pipeline and scenario, or null when the law holds (or the pipeline does not accept n).</summary>
    public static string? Check(RuleUnderTest rule, AdversarialScenario scenario)
    {
        var data = scenario.Build();
        float[]? output;
        try
        {
            output = AggregatorLaws.Run(rule, data, scenario.N, scenario.F);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"{rule}: threw {e.GetType().Name}: {e.Message} ({scenario})";
        }

        if (output is null)
        {
            return null;
        }

        if (!VectorMath.IsFinite(output))
        {
            return $"{rule}: non-finite output {AggregatorLaws.Show(output)} ({scenario})";
        }

        if (rule.Heuristic || rule.FiniteOnly)
        {
            return null; // it promises a finite output, not one on the honest scale
        }

        int honest = scenario.N - scenario.F;
        var (error, variance) = AggregatorLaws.ErrorAndVariance(output, scenario.Honest(data), honest, scenario.D);
        double allowed = ScaleBound(rule, scenario.Honest(data), honest, scenario.D);
        if (Math.Sqrt(error) > allowed)
        {
            return $"{rule}: ||F - m|| = {Math.Sqrt(error):G6} > honest-scale bound {allowed:G6} ({scenario})";
        }

        if (ProvenBounds.Kappa(rule.Spec, scenario.N, scenario.F) is { } kappa)
        {
            double kappaAllowed = (kappa * variance * (1 + 1e-3)) + (1e-6 * variance) + 1e-12;
            if (error > kappaAllowed)
            {
                return $"{rule}: ||F - m||^2 = {error:G6} > kappa {kappa:G4} * variance {variance:G6} ({scenario})";
            }
        }

        return null;
    }

    /// <summary>
    /// ScaleFactor (R + ||m||), plus the clipping threshold when a clipping step lets every row
    /// through up to that norm, plus float rounding relative to the honest magnitudes.
    /// </summary>
    public static double ScaleBound(RuleUnderTest rule, ReadOnlySpan<float> honest, int rows, int d)
    {
        var mean = AggregatorLaws.Mean(honest, rows, d);
        double radius = 0;
        for (int i = 0; i < rows; i++)
        {
            double squared = 0;
            for (int k = 0; k < d; k++)
            {
                squared += Math.Pow(honest[(i * d) + k] - mean[k], 2);
            }

            radius = Math.Max(radius, Math.Sqrt(squared));
        }

        double centre = Math.Sqrt(mean.Sum(v => v * v));
        double clipping = rule.Spec.Contains("clipping>", StringComparison.Ordinal) ? ClippingThreshold : 0;
        return (ScaleFactor * (radius + centre) * (1 + 1e-4)) + clipping + 1e-6;
    }

    /// <summary>The clipping pre-aggregator's threshold c (the pipelines use its default).</summary>
    private static double ClippingThreshold => ByzantineSim.Aggregators.Clipping.ClippingOptions.ThresholdParameter.Default;

    private static List<RuleUnderTest> BuildPipelines()
    {
        var aggregators = AggregatorLaws.Rules.Where(r => (r.Robust || r.FiniteOnly) && !r.Spec.Contains('>', StringComparison.Ordinal)).ToList();
        var pipelines = new List<RuleUnderTest>(aggregators);
        foreach (string pre in ByzantineSim.Aggregators.BuiltInAggregators.PreAggregators.Names)
        {
            // Pipelines the pipeline itself refuses to build (bucketing before MoNNA) are left out.
            pipelines.AddRange(aggregators.Select(a => a with { Spec = $"{pre}>{a.Spec}" }).Where(p => p.Create(1).OrderProblem is null));
        }

        pipelines.Add(new RuleUnderTest("clipping>mean", new Dictionary<string, string>(), true, null));
        pipelines.Add(new RuleUnderTest("arc>mean", new Dictionary<string, string>(), true, null));
        return pipelines;
    }
}
