using System.Text;
using ByzantineSim.Experiments.Yaml;
using YamlDotNet.RepresentationModel;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// The YAML layer: its limits (aliases, depth, documents) refuse hostile specs early with a
/// located one-line error, and its typing rules are the ones docs/experiments.md states.
/// </summary>
public class YamlLoaderTests
{
    private const string File = "spec.yaml";

    private static string Error(string yaml)
    {
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse(yaml, File));
        return Assert.Single(error.Errors).ToString();
    }

    /// <summary>Anchors x0..x{levels-1}, each a list of ten aliases of the one before: 10^levels leaves from a few hundred bytes.</summary>
    private static string AliasBomb(int levels)
    {
        var text = new StringBuilder("sweep: s\nbase:\n  seed: 1\n  x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < levels; i++)
        {
            text.Append($"  x{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        return text.ToString();
    }

    [Fact]
    public void AliasBomb_IsRefusedBeforeExpanding()
    {
        // 10^6 leaves: ten times the node limit, yet small enough that a loader without the limit
        // fails this test by the message (unknown keys) rather than by running out of memory.
        string bomb = AliasBomb(6);
        Assert.True(bomb.Length < 500);
        Assert.Equal(
            $"spec.yaml:8:47: base.x4[7]: the document expands to more than {YamlLimits.MaxNodes} values once aliases are expanded (the limit)",
            Error(bomb));
    }

    [Fact]
    public void AliasCount_OverTheLimit_IsRefused()
    {
        string yaml = $"sweep: s\nbase:\n  seed: &one 1\n  x: [{string.Join(", ", Enumerable.Repeat("*one", YamlLimits.MaxAliases + 1))}]\n";
        Assert.Equal(
            $"spec.yaml:4:{7 + (6 * YamlLimits.MaxAliases)}: base.x[{YamlLimits.MaxAliases}]: more than {YamlLimits.MaxAliases} aliases (the limit)",
            Error(yaml));
    }

    [Fact]
    public void RecursiveAlias_IsAnError_NotAStackOverflow() =>
        Assert.Equal(
            "spec.yaml:2:23: base.x: alias '*b' is inside its own anchor '&b': a recursive structure has no end",
            Error("sweep: s\nbase: &b {seed: 1, x: *b}\n"));

    [Fact]
    public void DeepNesting_IsRefusedAtTheDepthLimit_NotAStackOverflow()
    {
        // The issue's reproduction: 60,000 unclosed '[' overflowed the stack of a recursive loader.
        string message = Error("sweep: s\nbase: " + new string('[', 60_000) + "\n");
        Assert.StartsWith($"spec.yaml:2:{7 + YamlLimits.MaxDepth - 1}: base[0][0]", message, StringComparison.Ordinal);
        Assert.EndsWith($"...: lists and mappings nest deeper than {YamlLimits.MaxDepth} levels (the limit)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_AtTheDepthLimit_IsAccepted()
    {
        string Nested(int depth) => new string('[', depth) + new string(']', depth);
        Assert.Null(YamlLoader.Parse(Nested(YamlLimits.MaxDepth), File).Error);
        Assert.NotNull(YamlLoader.Parse(Nested(YamlLimits.MaxDepth + 1), File).Error);
    }

    [Fact]
    public void TooManyDocuments_AreRefusedAtTheSecond_WithoutReadingFurther() =>
        // The third document is not even valid YAML: reading stops at the second.
        Assert.Equal(
            $"spec.yaml:2:1: more than {YamlLimits.MaxDocuments} YAML document in the file (the limit): a spec file holds one sweep",
            Error("sweep: a\n---\nsweep: b\n---\n[unclosed\n"));

    [Fact]
    public void QuotedInt_WhereAnIntIsExpected_IsRejected() =>
        Assert.Equal(
            "spec.yaml:3:23: base.training.rounds: expected int, got the text '5' (quoted or tagged !!str); write int values without quotes",
            Error("sweep: s\nbase:\n  training: { rounds: \"5\" }\n"));

    [Fact]
    public void StrTaggedInt_WhereAnIntIsExpected_IsRejected() =>
        Assert.Equal(
            "spec.yaml:3:9: base.seed: expected int, got the text '5' (quoted or tagged !!str); write int values without quotes",
            Error("sweep: s\nbase:\n  seed: !!str 5\n"));

    [Fact]
    public void QuotedNumber_InAPluginOption_IsRejected() =>
        Assert.Equal(
            "spec.yaml:4:41: base.aggregator.neighbours: expected int, got the text '3' (quoted or tagged !!str); write int values without quotes",
            Error("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  aggregator: { name: krum, neighbours: '3' }\n"));

    [Fact]
    public void QuotedWord_InANumericPluginOption_IsReportedOnce() =>
        Assert.Equal(
            "spec.yaml:4:41: base.aggregator.neighbours: expected int, got the text 'ten' (quoted or tagged !!str); write int values without quotes",
            Error("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  aggregator: { name: krum, neighbours: 'ten' }\n"));

    [Fact]
    public void QuotedText_AndIntTaggedNumbers_AreAccepted()
    {
        var spec = SweepLoader.Parse(
            "sweep: \"s\"\nbase:\n  seed: !!int 7\n  training: { momentum_form: 'sum' }\n  aggregator: { name: \"median\" }\n", File).Runs.Single().Spec;
        Assert.Equal((7L, Clients.Training.MomentumForm.Sum, "median"), (spec.Seed, spec.Training.MomentumForm, spec.Aggregator.Name));
    }

    [Fact]
    public void UnknownTag_IsAnError_NotIgnored() =>
        Assert.Equal(
            "spec.yaml:3:11: base.device: unknown tag '!gpu' on a scalar; known: !!str, !!int, !!float, !!bool, !!null, !!seq, !!map",
            Error("sweep: s\nbase:\n  device: !gpu cpu\n"));

    [Fact]
    public void MergeKey_IsRefusedAsUnsupported_NotAsAnUnknownKey() =>
        Assert.Equal(
            "spec.yaml:4:15: base.training.<<: merge keys ('<<') are not supported: repeat the settings, or put shared ones in base",
            Error("sweep: s\nbase:\n  clients: &c { n: 10 }\n  training: { <<: *c }\n"));

    [Fact]
    public void TabIndentation_IsLocatedAtTheTab() =>
        Assert.Equal(
            "spec.yaml:4:2: invalid YAML: a tab in indentation (YAML indents with spaces only)",
            Error("sweep: s\nbase:\n  seed: 1\n \tdevice: cpu\n"));

    [Fact]
    public void UndefinedAlias_IsLocatedAtTheAlias() =>
        Assert.Equal(
            "spec.yaml:4:11: base.device: undefined alias '*nope': no anchor '&nope' comes before it",
            Error("sweep: s\nbase:\n  seed: 1\n  device: *nope\n"));

    [Fact]
    public void DuplicateKey_IsLocatedAtTheSecond() =>
        Assert.Equal("spec.yaml:4:3: base.seed: duplicate key 'seed'", Error("sweep: s\nbase:\n  seed: 1\n  seed: 2\n"));

    [Fact]
    public void Alias_WithinTheLimits_StillCopiesItsValue()
    {
        var plan = SweepLoader.Parse("sweep: s\nbase:\n  clients: &c { n: 12, f: 2 }\n  aggregator: krum\ncases:\n  - { clients: *c, seed: 3 }\n", File);
        Assert.Equal([(12, 2), (12, 2)], plan.Runs.Select(r => (r.Spec.Clients, r.Spec.Byzantine)));
    }

    [Theory]
    [MemberData(nameof(DocumentationTests.ShippedSpecs), MemberType = typeof(DocumentationTests))]
    public void ShippedSpec_ParsesToTheTreeYamlStreamGives(string relativePath)
    {
        // Reference: YamlDotNet's own YamlStream, which loaded specs before the bounded builder.
        string text = System.IO.File.ReadAllText(Path.Combine(DocumentationTests.RepositoryRoot(), relativePath));
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var (root, error) = YamlLoader.Parse(text, relativePath);
        Assert.Null(error);
        Assert.Equal(Dump(stream.Documents.Single().RootNode), Dump(root!));
    }

    private static string Dump(YamlNode node) => node switch
    {
        YamlScalarNode scalar => $"{At(node)}'{scalar.Value}'",
        YamlSequenceNode sequence => $"{At(node)}[{string.Join(", ", sequence.Children.Select(Dump))}]",
        YamlMappingNode mapping => $"{At(node)}{{{string.Join(", ", mapping.Children.Select(e => $"{Dump(e.Key)}: {Dump(e.Value)}"))}}}",
        _ => "?",
    };

    private static string Dump(YNode node) => node switch
    {
        YScalar scalar => $"{At(node)}'{scalar.Value}'",
        YSequence sequence => $"{At(node)}[{string.Join(", ", sequence.Items.Select(Dump))}]",
        YMapping mapping => $"{At(node)}{{{string.Join(", ", mapping.Entries.Select(e => $"{Dump(e.Key)}: {Dump(e.Value)}"))}}}",
        _ => "?",
    };

    private static string At(YamlNode node) => $"{node.Start.Line}:{node.Start.Column}";

    private static string At(YNode node) => $"{node.Location.Line}:{node.Location.Column}";
}
