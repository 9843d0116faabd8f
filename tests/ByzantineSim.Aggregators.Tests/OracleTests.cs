namespace ByzantineSim.Aggregators.Tests;

/// <summary>
/// Differential test against a reference implementation: every aggregator and pre-aggregator case
/// of every <c>*.json</c> file in the oracle folder (see <see cref="OracleCases"/> for where it
/// is found, and docs/ALGORITHMS.md section 10 for the file format and what it was computed
/// with) runs through the registry by name and options and must agree per coordinate to
/// 1e-4 (1 + |reference|). A file dropped into the folder is tested without code changes;
/// attack cases run in ByzantineSim.Attacks.Tests.
/// </summary>
public class OracleTests
{
    /// <summary>
    /// Rules that document their own tie-break, where a case marked "tied" (the reference kept the
    /// first of several optimal subsets in enumeration order) may differ from the reference.
    /// </summary>
    private static readonly Dictionary<string, string> DocumentedTieBreaks = new(StringComparer.Ordinal)
    {
        ["mda"] = "among tied diameters the smallest sum of pairwise squared distances (Mda.cs, docs/ALGORITHMS.md)",
        ["smea"] = "among tied eigenvalues the smallest total variance (Smea.cs, docs/ALGORITHMS.md)",
    };

    /// <summary>
    /// Where our default differs from ByzFL's definition by a documented option, the option that
    /// selects ByzFL's form, added to a case's options unless the case sets it.
    /// </summary>
    private static readonly Dictionary<string, Dictionary<string, string>> ReferenceForms = new(StringComparer.Ordinal)
    {
        // CafOptions: ByzFL normalises by the largest projection over all rows; ours by default over weighted rows.
        ["caf"] = new(StringComparer.Ordinal) { ["tau_max"] = "all" },
    };

    public static IEnumerable<object[]> AggregatorCases => OracleCases.Keys("aggregator");

    public static IEnumerable<object[]> PreAggregatorCases => OracleCases.Keys("pre-aggregator");

    [Fact]
    public void OracleFolder_EveryCase_HasAKindSomeTestRuns()
    {
        var unknown = OracleCases.Cases.Where(c => !OracleCases.Kinds.Contains(c.Kind)).Select(c => $"{c}: kind '{c.Kind}'").ToList();
        Assert.True(unknown.Count == 0, "cases no test runs: " + string.Join(", ", unknown));
    }

    [Theory]
    [MemberData(nameof(AggregatorCases))]
    public void Aggregator_OracleCase_AgreesWithTheReference(string key)
    {
        var c = OracleCases.Get(key);
        var options = new Dictionary<string, string>(ReferenceForms.GetValueOrDefault(c.Name) ?? [], StringComparer.Ordinal);
        foreach (var (option, value) in c.Options)
        {
            options[option] = value;
        }

        var aggregator = Create(c, () => BuiltInAggregators.Create(c.Name, c.F, options));
        if (!aggregator.Accepts(c.N))
        {
            Assert.Fail($"{c}: {c.Name} with {Show(c.Options)} does not accept n = {c.N} ({aggregator.Requirement}), so the case cannot be expressed");
        }

        float[] Run(float[] inputs)
        {
            var output = new float[c.D];
            aggregator.Aggregate(new RowMatrix(inputs, c.N, c.D), output, AggregationContext.Stateless);
            return output;
        }

        var ours = Run(c.Inputs);
        if (c.Tied && DocumentedTieBreaks.ContainsKey(c.Name))
        {
            // The reference's pick among tied optima depends on row order; ours is checked for finiteness only.
            Assert.True(VectorMath.IsFinite(ours), $"{c}: non-finite output on a tied case");
            return;
        }

        string? failure = OracleComparison.Check(c, ours, Run);
        Assert.True(failure is null, failure);
    }

    [Theory]
    [MemberData(nameof(PreAggregatorCases))]
    public void PreAggregator_OracleCase_AgreesWithTheReference(string key)
    {
        var c = OracleCases.Get(key);
        var step = Create(c, () => BuiltInAggregators.CreatePreAggregator(c.Name, c.F, c.Options));
        if (!step.Accepts(c.N) || step.OutputRows(c.N) * c.D != c.Output.Length)
        {
            Assert.Fail($"{c}: {c.Name} with {Show(c.Options)} does not map {c.N} rows to the reference's {c.Output.Length / Math.Max(1, c.D)}, so the case cannot be expressed");
        }

        float[] Run(float[] inputs)
        {
            var output = new float[step.OutputRows(c.N) * c.D];
            step.Apply(new RowMatrix(inputs, c.N, c.D), output, AggregationContext.Stateless);
            return output;
        }

        string? failure = OracleComparison.Check(c, Run(c.Inputs), Run);
        Assert.True(failure is null, failure);
    }

    /// <summary>Creates the plug-in; an unknown name or an option we lack fails the case naming why.</summary>
    private static T Create<T>(OracleCase c, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new Xunit.Sdk.XunitException($"{c}: cannot express {c.Kind} '{c.Name}' with {Show(c.Options)}: {e.Message}");
        }
    }

    private static string Show(IReadOnlyDictionary<string, string> options) =>
        "{" + string.Join(", ", options.Select(p => $"{p.Key}: {p.Value}")) + "}";
}
