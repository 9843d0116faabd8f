namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// The <c>label_dilution</c> setting (uniform label noise, alpha noisy examples per clean one):
/// exact one-line errors, absent and alpha 0 leaving the canonical YAML (and every existing run
/// id) unchanged, and canonical text that reads back to itself.
/// </summary>
public class LabelDilutionSpecTests
{
    private const string Head = "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n";

    /// <summary>Malformed specs and their exact errors, checked by <see cref="SpecErrorTests.MalformedSpec_ReportsExactly"/>.</summary>
    public static TheoryData<string, string[]> Corpus => new()
    {
        {
            Head + "  label_dilution: { alpha: -1 }\n",
            ["spec.yaml:4:28: base.label_dilution.alpha: must be a whole number of noisy examples per clean one, in [0, 1000] (got -1)"]
        },
        {
            Head + "  label_dilution: { alpha: 2.5 }\n",
            ["spec.yaml:4:28: base.label_dilution.alpha: expected int, got '2.5'"]
        },
        {
            Head + "  label_dilution: { clients: 3 }\n",
            ["spec.yaml:4:19: base.label_dilution: needs alpha, the number of randomly labelled examples added per clean one"]
        },
        {
            Head + "  label_dilution: { alpha: 10, clients: 11 }\n",
            ["spec.yaml:4:41: base.label_dilution.clients: must be 'all' or a number of clients in [1, 10] (got 11)"]
        },
        {
            Head + "  label_dilution: { alpha: 10, clients: some }\n",
            ["spec.yaml:4:41: base.label_dilution.clients: must be 'all' or a number of clients in [1, 10] (got some)"]
        },
        {
            Head + "  label_dilution: { alpha: 10, clinets: 2 }\n",
            ["spec.yaml:4:32: base.label_dilution.clinets: unknown key 'clinets' (did you mean 'clients'?); known: alpha, clients, fresh_labels"]
        },
        {
            Head + "  data: synthetic-linear\n  label_dilution: { alpha: 10 }\n",
            ["spec.yaml:5:28: base.label_dilution.alpha: needs a classification data set: a regression set has no labels to draw at random"]
        },
        {
            Head + "  label_dilution: 10\n",
            ["spec.yaml:4:19: base.label_dilution: expected a mapping, got '10'"]
        },
        {
            Head + "  training: { label_smoothing: 1 }\n",
            ["spec.yaml:4:32: base.training.label_smoothing: must be in [0, 1) (got 1)"]
        },
        {
            Head + "  data: synthetic-linear\n  training: { label_smoothing: 0.1 }\n",
            ["spec.yaml:5:32: base.training.label_smoothing: needs a classification data set: a regression target has no classes to smooth over"]
        },
    };

    [Fact]
    public void LabelSmoothing_AbsentOrZero_SameIdAsBefore_GivenReadsBackAndReachesTheClients()
    {
        // The label-noise study's control: targets with the expected pull of alpha = 50's random labels.
        var plain = Single(Head);
        Assert.Equal(plain.Id, Single(Head + "  training: { label_smoothing: 0 }\n").Id);
        Assert.DoesNotContain("label_smoothing", plain.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        var run = Single(Head + "  training: { label_smoothing: 0.98 }\n");
        string canonical = run.Spec.ToCanonicalYaml();
        Assert.Contains("  label_smoothing: 0.98\n", canonical, StringComparison.Ordinal);
        Assert.Equal(0.98, run.Setup.Training.LabelSmoothing);
        Assert.Equal(canonical, SweepLoader.ParseRun(run.Id, canonical, run.Labels).Spec.ToCanonicalYaml());
        Assert.NotEqual(plain.Id, run.Id);
    }

    [Fact]
    public void AbsentOrAlphaZero_SameCanonicalYamlAndIdAsWithout()
    {
        var plain = Single(Head);
        var zero = Single(Head + "  label_dilution: { alpha: 0, clients: 3 }\n");
        Assert.Equal(Single(Head + "  label_dilution: { alpha: 5 }\n").Id, Single(Head + "  label_dilution: { alpha: 5, fresh_labels: false }\n").Id);
        Assert.Equal(plain.Spec.ToCanonicalYaml(), zero.Spec.ToCanonicalYaml());
        Assert.Equal(plain.Id, zero.Id);
        Assert.DoesNotContain("label_dilution", plain.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.Null(plain.Setup.LabelDilution);
        Assert.Null(zero.Setup.LabelDilution);
    }

    [Theory]
    [InlineData("  label_dilution: { alpha: 20 }\n", "label_dilution:\n  alpha: 20\n  clients: all\n", 20, null)]
    [InlineData("  label_dilution: { alpha: 50, clients: all }\n", "label_dilution:\n  alpha: 50\n  clients: all\n", 50, null)]
    [InlineData("  label_dilution: { alpha: 5, clients: 3 }\n", "label_dilution:\n  alpha: 5\n  clients: 3\n", 5, 3)]
    [InlineData("  label_dilution: { alpha: 50, fresh_labels: true }\n", "label_dilution:\n  alpha: 50\n  clients: all\n  fresh_labels: true\n", 50, null, true)]
    public void Given_CanonicalYamlHasItAndReadsBackToItself(string settings, string expected, int alpha, int? clients, bool fresh = false)
    {
        var run = Single(Head + settings);
        string canonical = run.Spec.ToCanonicalYaml();
        Assert.Contains(expected, canonical, StringComparison.Ordinal);
        Assert.Equal(new Clients.Partitioning.LabelDilution(alpha, clients) { FreshLabels = fresh }, run.Setup.LabelDilution);
        var again = SweepLoader.ParseRun(run.Id, canonical, run.Labels);
        Assert.Equal(canonical, again.Spec.ToCanonicalYaml());
        Assert.Equal(run.Setup.LabelDilution, again.Setup.LabelDilution);
        Assert.NotEqual(Single(Head).Id, run.Id);
    }

    [Fact]
    public void GridAxis_OnAlpha_GivesOneRunPerValue()
    {
        var runs = SweepLoader.Parse((Head + "grid:\n  label_dilution.alpha: [0, 10]\n").ReplaceLineEndings("\n"), SpecFile).Runs;
        Assert.Equal([null, 10], runs.Select(r => r.Setup.LabelDilution?.Alpha));
    }
}
