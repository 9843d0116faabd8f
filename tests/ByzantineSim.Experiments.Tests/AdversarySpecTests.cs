using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// The <c>adversary</c> (changing identities, attacker groups), <c>unreliable</c> and
/// <c>threat.server_knows_count</c> settings: exact one-line errors, defaults that leave the
/// canonical YAML (and so every existing run id) unchanged, and canonical text that reads back
/// to itself (cluster workers rebuild runs from it).
/// </summary>
public class AdversarySpecTests
{
    /// <summary>Malformed specs and their exact errors, checked by <see cref="SpecErrorTests.MalformedSpec_ReportsExactly"/>.</summary>
    public static TheoryData<string, string[]> Corpus => new()
    {
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary: { identities: rotatng }\n",
            ["spec.yaml:4:28: base.adversary.identities: must be fixed or rotating or random (got rotatng)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary: { identities: rotating }\n",
            ["spec.yaml:4:14: base.adversary: rotating identities need period: the number of rounds between two draws of the Byzantine set"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary: { identities: rotating, period: 0 }\n",
            ["spec.yaml:4:46: base.adversary.period: must be >= 1 (got 0)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary: { period: 5 }\n",
            ["spec.yaml:4:24: base.adversary.period: applies only to rotating identities (rounds between two draws); identities is fixed"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary: { identities: random, count: 3, fraction: 0.2 }\n",
            ["spec.yaml:4:43: base.adversary.count: give either count or fraction, not both"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary: { identities: random, fraction: 1.5 }\n",
            ["spec.yaml:4:46: base.adversary.fraction: must be in (0, 1) (got 1.5)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary:\n    identities: random\n    count: 10\n",
            ["spec.yaml:6:12: base.adversary.count: must be in [0, 9]: at least one client stays honest (n=10) (got 10)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  threat: { server_knows_count: false }\n",
            ["spec.yaml:4:33: base.threat.server_knows_count: applies only when a round's number of Byzantine clients can differ from clients.f (adversary.identities: random with a fraction, or a count other than f)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  attack: sign-flip\n  adversary: { identities: rotating, period: 3 }\n  partition: { name: iid, byzantine_data: false }\n",
            ["spec.yaml:6:14: base.partition: adversary.identities: rotating needs every client to hold data (each is honest in some rounds); partition.byzantine_data: false withholds it"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary:\n    groups:\n      - { count: 1, attack: sign-flip }\n      - { count: 2, attack: gaussian }\n",
            ["spec.yaml:6:7: base.adversary.groups: the groups' counts add up to 3, but clients.f is 2: they must be equal"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  attack: sign-flip\n  adversary:\n    groups:\n      - { count: 2, attack: gaussian }\n",
            ["spec.yaml:4:11: base.attack: give either attack or adversary.groups (a mixed population), not both"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary:\n    groups:\n      - { count: 1, attack: silent }\n      - { count: 1 }\n",
            [
                "spec.yaml:6:29: base.adversary.groups[0].attack: silent does not send vectors as crafted, so it cannot share a round with other groups",
                "spec.yaml:7:9: base.adversary.groups[1]: an attacker group needs attack: a name, or a mapping with name and options",
            ]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  adversary:\n    groups:\n      - { count: 1, attack: sign-flip }\n      - { count: 1, attack: sign-flip }\n",
            ["spec.yaml:7:9: base.adversary.groups[1]: two groups are named 'sign-flip'; give each group its own name"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  unreliable: { count: 2, degradation: blurr }\n",
            ["spec.yaml:4:40: base.unreliable.degradation: must be blur or downsample or noise or labels (got blurr)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  unreliable: { degradation: labels, level: 0.5 }\n",
            ["spec.yaml:4:15: base.unreliable: needs count (how many honest clients are unreliable) or fraction (their share)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  unreliable: { count: 9, degradation: labels, level: 2 }\n",
            [
                "spec.yaml:4:24: base.unreliable.count: must be in [1, 8], the number of honest clients (got 9)",
                "spec.yaml:4:55: base.unreliable.level: must be the share of random labels, in (0, 1] (got 2)",
            ]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  unreliable: { count: 1, degradation: downsample, level: 2.5 }\n",
            [
                "spec.yaml:4:40: base.unreliable.degradation: downsample needs image samples [channels, height, width]; the data's samples have shape [32]",
                "spec.yaml:4:59: base.unreliable.level: must be a whole downsampling factor in [2, 64] (got 2.5)",
            ]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  training: { algorithm: fedavg }\n  unreliable: { count: 2, degradation: noise, train_fraction: 0 }\n",
            ["spec.yaml:5:63: base.unreliable.train_fraction: must be the probability that a local step is taken, in (0, 1] (got 0)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  unreliable: { count: 2, degradation: noise, train_fraction: 0.3 }\n",
            ["spec.yaml:4:63: base.unreliable.train_fraction: skips local steps, so it needs training.algorithm: fedavg (a dsgd client computes one gradient per round)"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  unreliable: { count: 2, degradation: labels, degraded_fraction: 0.5 }\n",
            ["spec.yaml:4:67: base.unreliable.degraded_fraction: applies to pixel degradations (blur, downsample, noise); random labels stay with their samples"]
        },
        {
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  unreliable: { count: 2, degradation: noise, degraded_fraction: 1.5 }\n",
            ["spec.yaml:4:66: base.unreliable.degraded_fraction: must be the probability that a batch is degraded, in (0, 1] (got 1.5)"]
        },
    };

    [Fact]
    public void UnreliableFractionsAtOne_SameCanonicalYamlAndIdAsWithout()
    {
        const string Base = "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  training: { algorithm: fedavg, local_steps: 3 }\n";
        var plain = Single(Base + "  unreliable: { count: 2, degradation: noise, level: 0.5 }\n");
        var explicitDefault = Single(Base + "  unreliable: { count: 2, degradation: noise, level: 0.5, train_fraction: 1, degraded_fraction: 1 }\n");
        Assert.Equal(plain.Spec.ToCanonicalYaml(), explicitDefault.Spec.ToCanonicalYaml());
        Assert.Equal(plain.Id, explicitDefault.Id);
        Assert.DoesNotContain("fraction", plain.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.Null(explicitDefault.Setup.Unreliable!.StepsFor(0, explicitDefault.Setup.Seed));
    }

    [Fact]
    public void FixedIdentitiesWritten_SameCanonicalYamlAndIdAsWithout()
    {
        const string Base = "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  attack: sign-flip\n";
        var plain = Single(Base);
        var explicitDefault = Single(Base + "  adversary: { identities: fixed }\n  threat: { server_knows_count: true }\n");
        Assert.Equal(plain.Spec.ToCanonicalYaml(), explicitDefault.Spec.ToCanonicalYaml());
        Assert.Equal(plain.Id, explicitDefault.Id);
        Assert.DoesNotContain("adversary", plain.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.DoesNotContain("unreliable", plain.Spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  adversary: { identities: rotating, period: 4 }\n  attack: sign-flip\n", "adversary:\n  identities: rotating\n  period: 4\n")]
    [InlineData("  adversary: { identities: random, fraction: 0.25 }\n  threat: { server_knows_count: false }\n  attack: sign-flip\n",
        "  server_knows_count: false\nadversary:\n  identities: random\n  fraction: 0.25\n")]
    [InlineData("  adversary:\n    groups:\n      - { count: 1, attack: sign-flip }\n      - { count: 1, name: noisy, attack: { name: gaussian, sigma: 0.5 } }\n",
        "adversary:\n  identities: fixed\n  groups:\n    - {name: sign-flip, count: 1, attack: {name: sign-flip}}\n    - {name: noisy, count: 1, attack: {name: gaussian, sigma: 0.5}}\n")]
    [InlineData("  unreliable: { fraction: 0.25, degradation: labels }\n  attack: sign-flip\n", "unreliable:\n  fraction: 0.25\n  degradation: labels\n  level: 0.5\n")]
    [InlineData("  unreliable: { count: 2, degradation: noise, level: 0.5, train_fraction: 0.3, degraded_fraction: 0.5 }\n  training: { algorithm: fedavg, local_steps: 3 }\n",
        "unreliable:\n  count: 2\n  degradation: noise\n  level: 0.5\n  train_fraction: 0.3\n  degraded_fraction: 0.5\n")]
    public void NewSettings_CanonicalYamlHasThemAndReadsBackToItself(string settings, string expected)
    {
        var run = Single("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n" + settings);
        string canonical = run.Spec.ToCanonicalYaml();
        Assert.Contains(expected, canonical, StringComparison.Ordinal);
        var again = SweepLoader.ParseRun(run.Id, canonical, run.Labels);
        Assert.Equal(canonical, again.Spec.ToCanonicalYaml());
        Assert.Equal(run.Setup.Identities, again.Setup.Identities);
        Assert.Equal(run.Setup.Attack.Name, again.Setup.Attack.Name);
        Assert.Equal(run.Setup.Unreliable, again.Setup.Unreliable);
    }

    [Fact]
    public void Groups_BindEachAttackForItsCount_AndNameTheMixture()
    {
        var run = Single("sweep: s\nbase:\n  clients: { n: 10, f: 3 }\n  adversary:\n    groups:\n      - { count: 1, attack: sign-flip }\n      - { count: 2, name: noisy, attack: { name: gaussian, sigma: 0.5 } }\n");
        var mixture = Assert.IsType<Attacks.Groups.AttackGroups>(run.Setup.Attack);
        Assert.Equal(["sign-flip", "noisy"], mixture.Groups.Select(g => g.Name));
        Assert.Equal([1, 2], mixture.Groups.Select(g => g.Count));
        Assert.Equal(["sign-flip", "noisy", "noisy"], Enumerable.Range(0, 3).Select(mixture.GroupOf));
        Assert.Equal("mixed", run.Spec.Attack.Name);
    }

    [Fact]
    public void RandomFraction_ServerToldTheCount_BuildsAPipelinePerCount()
    {
        const string Spec = "sweep: s\nbase:\n  clients: { n: 12, f: 2 }\n  aggregator: trimmed-mean\n  adversary: { identities: random, fraction: 0.2 }\n";
        var told = Single(Spec);
        var create = Assert.IsType<Func<int, Aggregators.AggregationPipeline>>(told.Setup.CreatePipelineFor, exactMatch: false);
        Assert.Equal(3, create(3).Aggregator.F);
        Assert.Equal(0, create(0).Aggregator.F);
        Assert.Null(Single(Spec + "  threat: { server_knows_count: false }\n").Setup.CreatePipelineFor);
        Assert.Null(Single("sweep: s\nbase:\n  clients: { n: 12, f: 2 }\n  adversary: { identities: rotating, period: 2 }\n").Setup.CreatePipelineFor);
        Assert.Equal(IdentityMode.Random, told.Setup.Identities.Mode);
    }
}
