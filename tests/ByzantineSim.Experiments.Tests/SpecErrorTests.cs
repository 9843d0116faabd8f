namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Malformed specs and the exact messages they produce: file, line:column, YAML path, reason.
/// </summary>
public class SpecErrorTests
{
    public static TheoryData<string, string[]> Corpus => new()
    {
        {
            // 1. unknown key in base, with a suggestion
            "sweep: s\nbase:\n  modle: mlp\n",
            ["spec.yaml:3:3: base.modle: unknown key 'modle' (did you mean 'model'?); known: adversary, aggregator, asynchrony, attack, clients, compression, data, device, faults, label_dilution, model, partition, pre_aggregators, privacy, seed, server, server_data, threat, topology, training, unreliable"]
        },
        {
            // 2. unknown aggregator name in a grid axis
            "sweep: s\ngrid:\n  aggregator: [mean, krun]\n",
            ["spec.yaml:3:22: grid.aggregator[1]: unknown aggregator 'krun' (did you mean 'krum'?); known: bulyan, caf, centered-clipping, cge, clipped-clustering, dnc, flag, flame, fltrust, foolsgold, geometric-median, krum, mda, meamed, mean, median, monna, mud-hog, multi-krum, signguard, smea, trimmed-mean"]
        },
        {
            // 3. f >= n/2
            "sweep: s\nbase:\n  clients: { n: 10, f: 5 }\n",
            ["spec.yaml:3:24: base.clients.f: must be less than n/2 (n=10, got f=5)"]
        },
        {
            // 4. the rule's own condition on n and f
            "sweep: s\nbase:\n  clients: { n: 10, f: 4 }\n  aggregator: krum\n",
            ["spec.yaml:4:15: base.aggregator: must satisfy n > 2f + 2 for krum (n=10, got f=4)"]
        },
        {
            // 5. missing sweep name
            "base:\n  seed: 1\n",
            ["spec.yaml:1:1: sweep: is required: the sweep's name, used as the results folder"]
        },
        {
            // 6. a sweep axis that is not a list
            "sweep: s\ngrid:\n  seed: 3\n",
            ["spec.yaml:3:9: grid.seed: a sweep axis must be a non-empty list of values, got '3'"]
        },
        {
            // 7. an axis over an unknown setting
            "sweep: s\ngrid:\n  agregator: [mean]\n",
            ["spec.yaml:3:3: grid.agregator: unknown setting 'agregator' (did you mean 'aggregator'?); known: seed, data, partition, model, clients, training, pre_aggregators, aggregator, attack, threat, server, faults, device, compression, privacy, server_data, adversary, unreliable, label_dilution, topology, asynchrony"]
        },
        {
            // 8. wrong type
            "sweep: s\nbase:\n  training: { learning_rate: fast }\n",
            ["spec.yaml:3:30: base.training.learning_rate: expected number, got 'fast'"]
        },
        {
            // 9. out of range
            "sweep: s\nbase:\n  training:\n    rounds: 0\n",
            ["spec.yaml:4:13: base.training.rounds: must be >= 1 (got 0)"]
        },
        {
            // 10. unknown plug-in option
            "sweep: s\nbase:\n  aggregator: { name: krum, neighbors: 2 }\n",
            ["spec.yaml:3:40: base.aggregator.neighbors: unknown option 'neighbors' for krum (did you mean 'neighbours'?); known: f, neighbours"]
        },
        {
            // 11. bad plug-in option value in an axis
            "sweep: s\ngrid:\n  attack: [sign-flip, { name: gaussian, sigma: -1 }]\n",
            ["spec.yaml:3:48: grid.attack[1].sigma: must be >= 0 (got -1)"]
        },
        {
            // 12. attack needs knowledge the threat model withholds
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  attack: alie\n  threat: { omniscient: false }\n",
            ["spec.yaml:4:11: base.attack: alie needs the honest updates of the round, which the threat model withholds (threat.omniscient: false, threat.knows_aggregator: true)"]
        },
        {
            // 13. missing data set files
            "sweep: s\nbase:\n  data: { name: mnist, folder: /nonexistent }\n",
            ["spec.yaml:3:32: base.data.folder: mnist data not found in '/nonexistent': missing train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]"]
        },
        {
            // 14. YAML syntax error
            "sweep: s\nbase: [1, 2\n",
            ["spec.yaml:3:1: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'."]
        },
        {
            // 15. a plug-in mapping without a name
            "sweep: s\nbase:\n  model: { hidden: [10] }\n",
            ["spec.yaml:3:10: base.model: a model needs a 'name'; known: cnn_cifar, cnn_mnist, logistic, lstm_shakespeare, mlp, resnet18, resnet20"]
        },
        {
            // 16. several problems at once, in file order
            "sweep: s\nbase:\n  device: gpu\n  server: { non_finite: drop }\n",
            [
                "spec.yaml:3:11: base.device: must be cpu or cuda (got gpu)",
                "spec.yaml:4:25: base.server.non_finite: must be pass or exclude (got drop)",
            ]
        },
        {
            // 17. the sweep name must be usable as a folder
            "sweep: ../escape\n",
            ["spec.yaml:1:8: sweep: must be a non-empty name of letters, digits, '-', '_' or '.' (got ../escape)"]
        },
        {
            // 18. an unknown top-level key
            "sweep: s\ngrids:\n  seed: [1]\n",
            ["spec.yaml:2:1: grids: unknown key 'grids' (did you mean 'grid'?); known: base, cases, description, grid, sweep"]
        },
        {
            // 19. a fedavg-only setting under dsgd
            "sweep: s\nbase:\n  training: { local_steps: 5 }\n",
            ["spec.yaml:3:28: base.training.local_steps: applies to algorithm fedavg only (training.algorithm is dsgd)"]
        },
        {
            // 20. partial participation leaves too few updates per round for the rule
            "sweep: s\nbase:\n  clients: { n: 40, f: 2 }\n  training: { participation: 0.1 }\n  aggregator: krum\n",
            ["spec.yaml:5:15: base.aggregator: must satisfy n > 2f + 2 for krum (n=4 sampled per round with participation 0.1, got f=2); set the aggregator's f to the Byzantine count expected in a round"]
        },
        {
            // 21. an unknown compressor
            "sweep: s\nbase:\n  compression: qsdg\n",
            ["spec.yaml:3:16: base.compression: unknown compressor 'qsdg' (did you mean 'qsgd'?); known: dgc, none, qsgd, terngrad, topk"]
        },
        {
            // 22. a fault that loses updates needs a simulated deadline
            "sweep: s\nbase:\n  faults: { crash: { count: 2 } }\n",
            ["spec.yaml:3:11: base.faults: crash and message_loss need server.deadline (simulated seconds): without a deadline the server would wait for ever for an update that never comes"]
        },
        {
            // 23. bad fault values, all reported
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  server: { deadline: 0 }\n  faults:\n    crash: { clients: [1, 9], count: 1 }\n    stragglers: { delay: gamma }\n    message_loss: 1\n",
            [
                "spec.yaml:4:23: base.server.deadline: must be a finite number > 0 of simulated seconds (got 0)",
                "spec.yaml:6:27: base.faults.crash.clients[1]: must be an honest client id in [0, 7] (got 9)",
                "spec.yaml:6:38: base.faults.crash.count: give either clients or count, not both",
                "spec.yaml:7:17: base.faults.stragglers: needs clients (a list of client ids) or fraction",
                "spec.yaml:7:26: base.faults.stragglers.delay: must be exponential or uniform or constant (got gamma)",
                "spec.yaml:8:19: base.faults.message_loss: must be in [0, 1) (got 1)",
            ]
        },
        {
            // 24. uniform delays take low and high, not mean
            "sweep: s\nbase:\n  faults: { stragglers: { clients: [0], delay: uniform, mean: 2, low: 3, high: 1 } }\n",
            [
                "spec.yaml:3:63: base.faults.stragglers.mean: does not apply to the uniform delay (exponential and constant take mean; uniform takes low and high)",
                "spec.yaml:3:80: base.faults.stragglers.high: must be greater than low (low=3, got high=1)",
            ]
        },
        {
            // 25. a label permutation must fit the data set's classes
            "sweep: s\nbase:\n  data: { name: synthetic, classes: 3 }\n  attack: { name: label-permutation, map: [1, 0] }\n",
            ["spec.yaml:4:43: base.attack.map: must give one label per class: the data set has 3 classes, the map 2"]
        },
        {
            // 26. an optimal attack needs the aggregator
            "sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  attack: opt-alie\n  threat: { knows_aggregator: false }\n",
            ["spec.yaml:4:11: base.attack: opt-alie needs the server's aggregator, which the threat model withholds (threat.omniscient: true, threat.knows_aggregator: false)"]
        },
        {
            // 27. enum-valued settings name their words
            "sweep: s\nbase:\n  training: { momentum_form: add, algorithm: sgd, send: diff }\n",
            [
                "spec.yaml:3:30: base.training.momentum_form: must be average or sum (got add)",
                "spec.yaml:3:46: base.training.algorithm: must be dsgd or fedavg (got sgd)",
                "spec.yaml:3:57: base.training.send: must be delta or model (got diff)",
            ]
        },
        {
            // 28. batch-norm statistics on a model without batch normalisation
            "sweep: s\nbase:\n  model: { name: mlp, batch_norm: local }\n",
            ["spec.yaml:3:35: base.model.batch_norm: mlp has no batch normalisation; batch_norm applies to resnet18, resnet20"]
        },
        {
            // 29. an unknown batch-norm mode
            "sweep: s\nbase:\n  model: { name: resnet20, batch_norm: running }\n",
            ["spec.yaml:3:40: base.model.batch_norm: must be one of batch, local, aggregated, got 'running'"]
        },
        {
            // 30. sample-size weighting is FedAvg's
            "sweep: s\nbase:\n  training: { weighting: samples }\n",
            ["spec.yaml:3:26: base.training.weighting: applies to algorithm fedavg only (training.algorithm is dsgd)"]
        },
        {
            // 31. a rule of the grid without a weighted form
            "sweep: s\nbase:\n  clients: { n: 10, f: 1 }\n  training: { algorithm: fedavg, weighting: samples }\ngrid:\n  aggregator: [mean, krum]\n",
            ["spec.yaml:4:45: base.training.weighting: samples needs a rule with a sample-weighted form (built in: mean), but krum has no sample-weighted form"]
        },
        {
            // 32. a step that merges rows leaves no sample counts to weight
            "sweep: s\nbase:\n  clients: { n: 10, f: 1 }\n  training: { algorithm: fedavg, weighting: samples }\n  pre_aggregators: [bucketing]\n",
            ["spec.yaml:4:45: base.training.weighting: samples needs a rule with a sample-weighted form (built in: mean), but bucketing merges the inputs into anonymous rows, which have no sample counts to weight"]
        },
        {
            // 33. the weighting's words
            "sweep: s\nbase:\n  training: { algorithm: fedavg, weighting: size }\n",
            ["spec.yaml:3:45: base.training.weighting: must be none or samples (got size)"]
        },
        {
            // 34. a number beyond double's range parses to infinity: not a setting
            "sweep: s\nbase:\n  training: { learning_rate: 1e400 }\n",
            ["spec.yaml:3:30: base.training.learning_rate: expected a finite number, got '1e400'"]
        },
        {
            // 35. .NET's word for infinity is no more a number here than YAML's .inf
            "sweep: s\nbase:\n  training: { learning_rate: -Infinity }\n",
            ["spec.yaml:3:30: base.training.learning_rate: expected a finite number, got '-Infinity'"]
        },
        {
            // 36. the same for a plug-in's option
            "sweep: s\ngrid:\n  aggregator: [{ name: centered-clipping, tau: 1e999 }]\n",
            ["spec.yaml:3:48: grid.aggregator[0].tau: expected a finite number, got '1e999'"]
        },
        {
            // 37. a value an axis already lists (seed: [1, 1] meant [1, 2]) would make one run, not two
            "sweep: s\ngrid:\n  seed: [1, 2, 1]\n",
            ["spec.yaml:3:16: grid.seed[2]: repeats grid.seed[0] (1); an axis lists each value once"]
        },
        {
            // 38. written differently, labelled the same
            "sweep: s\ngrid:\n  aggregator: [mean, { name: mean }]\n",
            ["spec.yaml:3:22: grid.aggregator[1]: repeats grid.aggregator[0] (mean); an axis lists each value once"]
        },
        {
            // 39. a relative data path is the working directory's, and the message says which
            "sweep: s\nbase:\n  data: { name: csv, path: nope.csv, label: y, features: \"a,b\", test_fraction: 0.2 }\n",
            [$"spec.yaml:3:28: base.data.path: CSV file not found: 'nope.csv' (under {Environment.CurrentDirectory}, the working directory)"]
        },
    };

    /// <summary>Every corpus of malformed specs (this class's and those of the sections with their own test class) gives exactly its errors.</summary>
    [Theory]
    [MemberData(nameof(Corpus))]
    [MemberData(nameof(AdversarySpecTests.Corpus), MemberType = typeof(AdversarySpecTests))]
    [MemberData(nameof(LabelDilutionSpecTests.Corpus), MemberType = typeof(LabelDilutionSpecTests))]
    public void MalformedSpec_ReportsExactly(string yaml, string[] expected) =>
        Assert.Equal(expected, Errors(yaml));

    [Fact]
    public void Backdoor_OnTabularData_SaysWhyNot() =>
        Assert.Equal(
            ["spec.yaml:4:11: base.attack: badnets stamps a trigger on images (samples of shape [channels, height, width]); the data's samples have shape [8]"],
            Errors("sweep: s\nbase:\n  data: { name: synthetic, features: 8 }\n  attack: { name: badnets, fraction: 0.5 }\n"));

    [Fact]
    public void AlieBoundedBoosting_WithoutTheHonestUpdates_SaysWhyNot() =>
        Assert.Equal(
            ["spec.yaml:5:11: base.attack: model-replacement needs the honest updates of the round, which the threat model withholds (threat.omniscient: false, threat.knows_aggregator: true)"],
            Errors("sweep: s\nbase:\n  data: fashion-mnist\n  clients: { n: 10, f: 2 }\n  attack: { name: model-replacement, bound: alie }\n  threat: { omniscient: false }\n"));

    [Fact]
    public void ByzantineDataFalse_WithAttackTrainingOnOwnData_IsAnError()
    {
        var errors = Errors("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  partition: { name: iid, byzantine_data: false }\n  attack: label-flip\n");
        Assert.Equal(
            ["spec.yaml:5:11: base.attack: label-flip trains on the Byzantine clients' own data, which partition.byzantine_data: false withholds"],
            errors);
    }

    [Fact]
    public void ByzantineDataFalse_WithAttackOnHonestUpdates_IsValid()
    {
        var plan = SweepLoader.Parse("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  partition: { name: iid, byzantine_data: false }\n  attack: mimic\n", SpecFile);
        Assert.Single(plan.Runs);
        Assert.Contains("byzantine_data: false", plan.Runs[0].Spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void ByzantineClasses_UnknownClass_IsAnErrorAtTheOption() =>
        Assert.Equal(
            ["spec.yaml:4:46: base.partition.byzantine_classes: class 12 does not exist: the data set has classes 0..9"],
            Errors("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  partition: { name: iid, byzantine_classes: [1, 12] }\n  attack: targeted-label-flip\n"));

    [Fact]
    public void ByzantineClasses_WithChangingIdentities_IsAnError() =>
        Assert.Equal(
            ["spec.yaml:6:14: base.partition: partition.byzantine_classes gives the last f ids their data; adversary.identities: rotating changes which ids are Byzantine"],
            Errors("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  attack: sign-flip\n  adversary: { identities: rotating, period: 3 }\n  partition: { name: iid, byzantine_classes: [1] }\n"));

    [Fact]
    public void ByzantineClasses_AtItsDefault_IsLeftOutOfTheCanonicalYaml_AndWrittenWhenGiven()
    {
        var plan = SweepLoader.Parse("sweep: s\nbase:\n  clients: { n: 10, f: 2 }\n  attack: targeted-label-flip\ngrid:\n  partition:\n    - iid\n    - { name: iid, byzantine_classes: [1] }\n", SpecFile);
        Assert.DoesNotContain("byzantine_classes", plan.Runs[0].Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.Contains("byzantine_classes: [1]", plan.Runs[1].Spec.ToCanonicalYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void Weighting_AtItsDefault_IsLeftOutOfTheCanonicalYaml_AndWrittenWhenOn()
    {
        var plan = SweepLoader.Parse("sweep: s\nbase:\n  training: { algorithm: fedavg }\ngrid:\n  training.weighting: [none, samples]\n", SpecFile);
        Assert.DoesNotContain("weighting", plan.Runs[0].Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.Contains("  weighting: samples\n", plan.Runs[1].Spec.ToCanonicalYaml(), StringComparison.Ordinal);
        Assert.NotEqual(plan.Runs[0].Spec.Hash(), plan.Runs[1].Spec.Hash());
    }

    [Fact]
    public void SetOverride_AppliesAfterGridAndCollapsesAxis()
    {
        var plan = SweepLoader.Parse(
            "sweep: s\nbase:\n  training: { rounds: 600 }\ngrid:\n  seed: [1, 2, 3]\n  aggregator: [mean, median]\n", SpecFile,
            ["training.rounds=2", "seed=1"]);
        Assert.Equal(2, plan.Runs.Length);
        Assert.All(plan.Runs, run => Assert.Equal(2, run.Spec.Training.Rounds));
        Assert.All(plan.Runs, run => Assert.Equal(1, run.Spec.Seed));
        Assert.All(plan.Runs, run => Assert.Equal("1", run.Labels.Single(l => l.Axis == "seed").Value));
        Assert.StartsWith("1-median-", plan.Runs[1].Id, StringComparison.Ordinal);
    }

    [Fact]
    public void SetOverride_UnknownOrMalformed_ReportsBoth()
    {
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse("sweep: s\n", SpecFile, ["colour=blue", "training.rounds"]));
        Assert.Equal(2, error.Errors.Length);
        Assert.Contains(error.Errors, e => e.Message.StartsWith("unknown setting 'colour'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Message == "must be path=value, got 'training.rounds'");
    }

    [Fact]
    public void Exception_Message_HasHeadlineAndBullets()
    {
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse("sweep: s\nbase:\n  seed: x\n  device: gpu\n", SpecFile));
        Assert.Equal(
            "spec.yaml: 2 problems:\n  - spec.yaml:3:9: base.seed: expected int, got 'x'\n  - spec.yaml:4:11: base.device: must be cpu or cuda (got gpu)",
            error.Message.ReplaceLineEndings("\n"));
    }
}
