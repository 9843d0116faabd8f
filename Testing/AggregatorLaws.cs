using ByzantineSim.Aggregators;
using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Testing;

/// <summary>
/// A rule as the law suite runs it: a pipeline spec (<c>nnm&gt;krum</c>) of registered rules, or
/// a rule from user code (<see cref="For"/>), with what the laws must know about it.
/// </summary>
/// <param name="Spec">Pre-aggregators then aggregator, separated by '&gt;' (for a user rule: its name).</param>
/// <param name="Options">Options of the final aggregator (law-friendly values where defaults are approximations).</param>
/// <param name="Robust">False for mean, which is poisoned by a single bad row by design.</param>
/// <param name="AgreementTolerance">
/// Allowed distance from the honest value, relative to 1 + its norm; null when the rule promises
/// agreement only against longer Byzantine rows (CGE keeps a Byzantine input whose norm is below
/// the honest one's).
/// </param>
public sealed record RuleUnderTest(string Spec, IReadOnlyDictionary<string, string> Options, bool Robust, double? AgreementTolerance)
{
    /// <summary>
    /// False for rules whose output may depend on the row order: identity-aware rules key their
    /// history by client, and the law suite's clients are the row positions. <value>true</value>
    /// </summary>
    public bool Permutable { get; init; } = true;

    /// <summary>False for rules that weigh every row (FLTrust, FoolsGold) and so do not return the honest value when the honest rows agree. <value>true</value></summary>
    public bool Agrees { get; init; } = true;

    /// <summary>
    /// True for rules that promise a finite output whatever f rows hold, without claiming an
    /// honest-scale output (FoolsGold, MUD-HoG in its first rounds, which averages). <value>false</value>
    /// </summary>
    public bool FiniteOnly { get; init; }

    /// <summary>Builds the pipeline for f Byzantine inputs; null: build <see cref="Spec"/> from the built-in registries.</summary>
    public Func<int, AggregationPipeline>? Factory { get; init; }

    /// <summary>
    /// True when the pipeline draws randomness from the seed (permutation laws then test nothing,
    /// since a permutation changes which rows the seed groups).
    /// </summary>
    /// <value>True for pipelines with bucketing; false for user rules unless set.</value>
    public bool Randomized { get; init; } = Spec.Contains("bucketing", StringComparison.Ordinal);

    /// <summary>
    /// A rule written in user code, checked like a built-in one: <paramref name="create"/> makes
    /// it for f Byzantine inputs (as its registry entry's factory would).
    /// </summary>
    /// <param name="name">Its name, for failure messages.</param>
    /// <param name="create">The rule for a given f.</param>
    /// <param name="agreementTolerance">How close to the common honest value it must land when every honest row agrees (relative to 1 + its norm).</param>
    /// <param name="robust">False for a rule that does not claim robustness (only permutation invariance is then checked).</param>
    public static RuleUnderTest For(string name, Func<int, IAggregator> create, double agreementTolerance = 1e-5, bool robust = true)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new RuleUnderTest(name, new Dictionary<string, string>(), robust, agreementTolerance)
        {
            Factory = f => new AggregationPipeline(create(f)),
        };
    }

    /// <summary>The pipeline for f Byzantine inputs.</summary>
    public AggregationPipeline Create(int f)
    {
        if (Factory is not null)
        {
            return Factory(f);
        }

        var pipeline = BuiltInAggregators.CreatePipeline(Spec, f);
        return new AggregationPipeline(BuiltInAggregators.Create(pipeline.Aggregator.Name, f, Options), pipeline.PreAggregators);
    }

    /// <summary>
    /// A rule with no worst-case guarantee on its output: a detection heuristic (DnC, clipped
    /// clustering, SignGuard, FLAME), which averages in a Byzantine row it fails to single out, or
    /// the Flag Aggregator, whose output is built from unit rows and so is not on the rows' scale.
    /// The laws check its finiteness and permutation invariance, not agreement or the honest-scale
    /// bound of the fuzz law; its own tests check what it promises (the rows it must flag, the
    /// reference's output).
    /// </summary>
    public bool Heuristic { get; init; }

    /// <summary>
    /// The index of a trusted input that must stay honest and in place, or null: MoNNA's (or a
    /// user rule's <see cref="IAggregator.TrustedInput"/>), and FLTrust's, whose server update the
    /// law suite takes from that (honest) row.
    /// </summary>
    public int? Trusted => NeedsServerUpdate ? 0 : Create(0).Aggregator.TrustedInput is { } trusted ? trusted : Spec.EndsWith("monna", StringComparison.Ordinal) ? 0 : null;

    /// <summary>True when the final rule compares the rows with the server's update (FLTrust).</summary>
    public bool NeedsServerUpdate => Create(0).Aggregator.NeedsServerUpdate;

    /// <inheritdoc />
    public override string ToString() => Spec;
}

/// <summary>The rules every law runs over, and the checks themselves.</summary>
public static partial class AggregatorLaws
{
    private static readonly Dictionary<string, string> NoOptions = [];

    /// <summary>
    /// Every registered aggregator, alone and after every registered pre-aggregator (with
    /// trimmed-mean as the representative final rule). Approximate rules get options that make
    /// the laws exact enough: geometric median with many iterations and a tiny nu, centered
    /// clipping with a small radius and many iterations (it starts at zero and moves at most tau
    /// per iteration; its fixed point sits within f tau / (n - f) of the honest value).
    /// </summary>
    public static IReadOnlyList<RuleUnderTest> Rules { get; } = BuildRules();

    /// <summary>Runs <paramref name="rule"/> on the rows; null when the rule does not accept n.</summary>
    public static float[]? Run(RuleUnderTest rule, float[] data, int n, int f, ulong seed = 7)
    {
        var pipeline = rule.Create(f);
        if (!pipeline.Accepts(n))
        {
            return null;
        }

        var output = new float[data.Length / n];
        // A rule that needs the server's update gets a copy of row 0, an honest row in every scenario.
        var server = pipeline.Aggregator.NeedsServerUpdate ? data.AsMemory(0, output.Length).ToArray() : [];
        pipeline.Aggregate(new RowMatrix(data, n, output.Length), output, new AggregationContext(0, seed, null) { ServerUpdate = server });
        return output;
    }

    /// <summary>
    /// Permutation invariance: the output of rows shuffled (keeping a trusted row in place and,
    /// for randomized rules, re-seeding nothing: the same seed draws the same bucket order over
    /// positions, so only the deterministic core is compared on permutations that fix the buckets)
    /// equals the output of the original order, within float rounding of reordered sums.
    /// </summary>
    public static string? PermutationInvariance(RuleUnderTest rule, AggregatorScenario scenario)
    {
        // Krum's ties go to the lower index (ByzFL's convention, pinned by its unit test); with a
        // single neighbour (n = 3, f = 0) mutual nearest neighbours always tie, so order matters.
        bool krumTies = rule.Spec.EndsWith("krum", StringComparison.Ordinal) && scenario.N - scenario.F - 2 <= 1;
        if (rule.Randomized || !rule.Permutable || !IsFiniteScenario(scenario) || krumTies)
        {
            return null;
        }

        var data = scenario.Build();
        var expected = Run(rule, data, scenario.N, scenario.F);
        if (expected is null)
        {
            return null;
        }

        var order = Enumerable.Range(0, scenario.N).ToArray();
        var random = new DeterministicRandom(scenario.Seed ^ 0xABCDEF);
        int fixedPrefix = rule.Trusted is null ? 0 : 1;
        random.FisherYates(order.AsSpan(fixedPrefix));
        var shuffled = new float[data.Length];
        for (int i = 0; i < scenario.N; i++)
        {
            Array.Copy(data, order[i] * scenario.D, shuffled, i * scenario.D, scenario.D);
        }

        var actual = Run(rule, shuffled, scenario.N, scenario.F)!;
        return Close(expected, actual, 1e-4, Scale(data)) ? null : $"{rule}: permuted {Show(actual)} != {Show(expected)}";
    }

    /// <summary>
    /// Agreement: when every honest row equals x, the output is x itself (x as the pipeline's
    /// row-wise steps transform it: clipped, for a clipping step), whatever the f others hold,
    /// within the rule's tolerance relative to 1 + ||x||. A rule that returned zeros, or let a
    /// Byzantine row through, fails it.
    /// </summary>
    public static string? Agreement(RuleUnderTest rule, AggregatorScenario scenario)
    {
        if (!rule.Robust || rule.Heuristic || !rule.Agrees || !scenario.Agreeing)
        {
            return null;
        }

        var data = scenario.Build();
        if (rule.AgreementTolerance is not { } tolerance)
        {
            // A rule that keeps the smallest-norm rows (CGE) promises x only when every Byzantine
            // row is longer than x (or non-finite): then the n - f rows it keeps are the honest ones.
            double length = Norm(data[..scenario.D]);
            bool longer = Enumerable.Range(scenario.N - scenario.F, scenario.F)
                .All(i => Norm(data[(i * scenario.D)..((i + 1) * scenario.D)]) is var norm && (double.IsNaN(norm) || norm > length * (1 + 1e-6)));
            if (!longer)
            {
                return null;
            }

            tolerance = 1e-5;
        }

        var actual = Run(rule, data, scenario.N, scenario.F);
        if (actual is null)
        {
            return null;
        }

        var honest = data[..scenario.D];
        foreach (var step in rule.Create(scenario.F).PreAggregators.OfType<IRowwisePreAggregator>())
        {
            var transformed = new float[honest.Length];
            step.ApplyRow(honest, transformed, AggregationContext.Stateless);
            honest = transformed;
        }

        return Close(honest, actual, tolerance, Norm(honest)) ? null : $"{rule}: {Show(actual)} != honest {Show(honest)} ({scenario.Kind}, n={scenario.N}, f={scenario.F})";
    }

    /// <summary>Finite output: at most f non-finite (or overflowing) rows never make the output non-finite.</summary>
    public static string? FiniteOutput(RuleUnderTest rule, AggregatorScenario scenario)
    {
        if (!rule.Robust && !rule.FiniteOnly)
        {
            return null;
        }

        var actual = Run(rule, scenario.Build(), scenario.N, scenario.F);
        return actual is null || VectorMath.IsFinite(actual) ? null : $"{rule}: non-finite output {Show(actual)} for {scenario.Kind}";
    }

    /// <summary>
    /// The (f, kappa)-robustness inequality of Allouah et al. 2023 for S = the honest rows:
    /// ||F(x) - mean_S||^2 &lt;= kappa * (1/|S|) sum_{i in S} ||x_i - mean_S||^2. Returns the
    /// violation, or null when it holds (or the rule does not accept n).
    /// </summary>
    public static string? Robustness(RuleUnderTest rule, double kappa, AggregatorScenario scenario)
    {
        var data = scenario.Build();
        var output = Run(rule, data, scenario.N, scenario.F);
        if (output is null)
        {
            return null;
        }

        var (error, variance) = ErrorAndVariance(output, scenario.Honest(data), scenario.N - scenario.F, scenario.D);
        double allowed = (kappa * variance * (1 + 1e-3)) + (1e-6 * variance) + 1e-12;
        return error <= allowed ? null : $"{rule}: ||F - mean_S||^2 = {error:G6} > kappa {kappa:G4} * variance {variance:G6} ({scenario})";
    }

    /// <summary>||output - mean of honest||^2 and the honest variance (1/|S|) sum ||x_i - mean||^2, in double.</summary>
    public static (double Error, double Variance) ErrorAndVariance(ReadOnlySpan<float> output, ReadOnlySpan<float> honest, int rows, int d)
    {
        var mean = Mean(honest, rows, d);
        double variance = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < d; k++)
            {
                variance += Math.Pow(honest[(i * d) + k] - mean[k], 2) / rows;
            }
        }

        double error = 0;
        for (int k = 0; k < d; k++)
        {
            error += Math.Pow(output[k] - mean[k], 2);
        }

        return (error, variance);
    }

    /// <summary>The mean of the <paramref name="rows"/> rows of <paramref name="honest"/>, in double.</summary>
    public static double[] Mean(ReadOnlySpan<float> honest, int rows, int d)
    {
        var mean = new double[d];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < d; k++)
            {
                mean[k] += honest[(i * d) + k] / (double)rows;
            }
        }

        return mean;
    }

    private static IReadOnlyList<RuleUnderTest> BuildRules()
    {
        var special = new Dictionary<string, (Dictionary<string, string> Options, double? Tolerance)>(StringComparer.Ordinal)
        {
            ["cge"] = (NoOptions, null),
            ["geometric-median"] = (new() { ["nu"] = "1e-7", ["iterations"] = "300" }, 1e-3),
            ["centered-clipping"] = (new() { ["tau"] = "0.05", ["iterations"] = "5000" }, 6e-2),
        };
        var heuristics = new HashSet<string>(StringComparer.Ordinal) { "clipped-clustering", "dnc", "flag", "flame", "signguard" };

        // Rules that weigh every row, or average before their detection starts, promise neither
        // agreement nor (FoolsGold, MUD-HoG) an honest-scale output; FLTrust's output has the
        // norm of the server's update, which the suite takes from an honest row.
        string[] weighing = ["fltrust", "foolsgold", "mud-hog"];
        string[] finiteOnly = ["foolsgold", "mud-hog"];
        var rules = new List<RuleUnderTest>();
        foreach (string name in BuiltInAggregators.Aggregators.Names)
        {
            var (options, tolerance) = special.TryGetValue(name, out var s) ? s : (NoOptions, (double?)1e-5);
            var rule = new RuleUnderTest(name, options, name != "mean" && !finiteOnly.Contains(name), tolerance)
            {
                Agrees = !weighing.Contains(name),
                FiniteOnly = finiteOnly.Contains(name),
                Heuristic = heuristics.Contains(name),
            };
            rules.Add(rule with { Permutable = !rule.Create(0).Aggregator.NeedsIdentities });
        }

        foreach (string pre in BuiltInAggregators.PreAggregators.Names)
        {
            rules.Add(new RuleUnderTest($"{pre}>trimmed-mean", NoOptions, true, 1e-5));
        }

        rules.Add(new RuleUnderTest("nnm>krum", NoOptions, true, 1e-5));
        return rules;
    }

    private static bool IsFiniteScenario(AggregatorScenario scenario) => !scenario.NonFinite;

    private static double Scale(float[] data) => data.Where(float.IsFinite).Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();

    private static double Norm(float[] values) => Math.Sqrt(values.Sum(v => (double)v * v));

    private static bool Close(float[] expected, float[] actual, double tolerance, double scale)
    {
        double allowed = tolerance * (1 + scale);
        return expected.Zip(actual).All(p => float.IsFinite(p.Second) && Math.Abs(p.First - p.Second) <= allowed);
    }

    /// <summary>The first five values of a vector, for failure messages.</summary>
    public static string Show(float[] values) => "[" + string.Join(", ", values.Take(5).Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + (values.Length > 5 ? ", ..." : "") + "]";
}
