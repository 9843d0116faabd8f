using System.Globalization;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Faults;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

public static partial class RunReader
{
    /// <summary>
    /// Defaults of every setting: the one place they are defined. The Defaults table of
    /// docs/experiments.md is generated from here (<see cref="MarkdownTable"/>), and a test keeps the two equal.
    /// </summary>
    public static class Defaults
    {
        /// <summary><c>seed</c>: the run's master seed, from which every random stream is derived.</summary>
        public const long Seed = 0;

        /// <summary><c>data</c>: the data set, a 10-class Gaussian mixture generated from the seed (no files).</summary>
        public const string Data = "synthetic";

        /// <summary><c>partition</c>: how the training set is split among the clients (uniform, equal sizes).</summary>
        public const string Partition = "iid";

        /// <summary><c>model</c>: the network trained, a multilayer perceptron (its <c>hidden</c> widths have their own default).</summary>
        public const string Model = "mlp";

        /// <summary><c>clients.n</c>: clients in all, the Byzantine ones included.</summary>
        public const int Clients = 10;

        /// <summary><c>clients.f</c>: Byzantine clients among them (the last f ids by default).</summary>
        public const int Byzantine = 0;

        /// <summary><c>training.rounds</c>: server steps of the run.</summary>
        public const int Rounds = 100;

        /// <summary><c>training.batch_size</c>: samples per client gradient.</summary>
        public const int BatchSize = 32;

        /// <summary><c>training.learning_rate</c>: the server's step size.</summary>
        public const double LearningRate = 0.1;

        /// <summary><c>training.lr_gamma</c>: factor applied to the learning rate at each milestone.</summary>
        public const double Gamma = 0.1;

        /// <summary><c>training.weight_decay</c>: the server adds this times the model to the aggregate before its step.</summary>
        public const double WeightDecay = 0;

        /// <summary><c>training.worker_momentum</c>: each client's momentum beta (0: plain gradients).</summary>
        public const double WorkerMomentum = 0;

        /// <summary><c>training.momentum_form</c>: the average form m = beta m + (1 - beta) g (ByzFL's), not the sum m = beta m + g.</summary>
        public const MomentumForm MomentumForm = ByzantineSim.Clients.Training.MomentumForm.Average;

        /// <summary><c>training.server_momentum</c>: momentum of the server's optimizer on the aggregate.</summary>
        public const double ServerMomentum = 0;

        /// <summary><c>training.eval_every</c>: rounds between two evaluations on the test set.</summary>
        public const int EvalEvery = 10;

        /// <summary><c>training.algorithm</c>: D-SGD, one gradient per client and round (not FedAvg's local steps).</summary>
        public const LocalMode Algorithm = LocalMode.Gradient;

        /// <summary><c>training.local_steps</c>: local SGD steps per round under FedAvg.</summary>
        public const int LocalSteps = TrainingSettings.DefaultLocalSteps;

        /// <summary><c>training.local_learning_rate</c>: the clients' step size under FedAvg.</summary>
        public const double LocalLearningRate = TrainingSettings.DefaultLocalLearningRate;

        /// <summary><c>training.clip_norm</c>: norm a client clips each step's gradient to (0: no clipping).</summary>
        public const double ClipNorm = 0;

        /// <summary><c>training.label_smoothing</c>: the clients' cross-entropy takes plain one-hot targets (epsilon 0).</summary>
        public const double LabelSmoothing = 0;

        /// <summary><c>training.participation</c>: share of the clients sampled each round.</summary>
        public const double Participation = TrainingSettings.DefaultParticipation;

        /// <summary><c>training.send</c>: what a FedAvg client sends, its model delta.</summary>
        public const ClientSends Send = ClientSends.Delta;

        /// <summary><c>training.weighting</c>: FedAvg updates count equally, not by their clients' sample counts.</summary>
        public const UpdateWeighting Weighting = UpdateWeighting.None;

        /// <summary><c>training.augmentation.crop_padding</c>: pixels of padding for random crops (0: none).</summary>
        public const int CropPadding = 0;

        /// <summary><c>training.augmentation.horizontal_flip</c>: random horizontal flips of training images.</summary>
        public const bool HorizontalFlip = false;

        /// <summary><c>compression</c>: the update compressor (none: 32 bits per coordinate).</summary>
        public const string Compression = "none";

        /// <summary><c>aggregator</c>: the aggregation rule (the plain mean).</summary>
        public const string Aggregator = "mean";

        /// <summary><c>attack</c>: what the Byzantine clients send (none: they behave honestly).</summary>
        public const string Attack = "none";

        /// <summary><c>threat.omniscient</c>: the coalition sees every honest update of the round before it answers.</summary>
        public const bool Omniscient = ThreatModel.DefaultOmniscient;

        /// <summary><c>threat.knows_aggregator</c>: the coalition may run its own copy of the server's rule.</summary>
        public const bool KnowsAggregator = ThreatModel.DefaultKnowsAggregator;

        /// <summary><c>server.non_finite</c>: NaN or infinite updates are passed to the rule, not dropped.</summary>
        public const NonFinitePolicy NonFinite = ServerSettings.DefaultNonFinite;

        /// <summary><c>server.round_timeout</c>: wall-clock seconds a round waits for replies, a safety net for real failures.</summary>
        public const double RoundTimeoutSeconds = ServerSettings.DefaultRoundTimeoutSeconds;

        /// <summary><c>server.deadline</c>: simulated seconds after which a round closes; infinite, so there is none.</summary>
        public const double DeadlineSeconds = double.PositiveInfinity;

        /// <summary><c>faults.crash.from_round</c>: the round crashed clients stop replying from.</summary>
        public const int CrashFromRound = 0;

        /// <summary><c>faults.stragglers.delay</c>: distribution of the stragglers' simulated delays.</summary>
        public const DelayKind Delay = DelayKind.Exponential;

        /// <summary><c>faults.stragglers.mean</c>: mean delay in simulated seconds (exponential).</summary>
        public const double DelayMean = 1.0;

        /// <summary><c>faults.stragglers.low</c>: smallest delay in simulated seconds (uniform).</summary>
        public const double DelayLow = 0.0;

        /// <summary><c>faults.stragglers.high</c>: largest delay in simulated seconds (uniform).</summary>
        public const double DelayHigh = 2.0;

        /// <summary><c>faults.message_loss</c>: probability that an honest update is lost on its way.</summary>
        public const double MessageLoss = 0;

        /// <summary><c>privacy.clip</c>: per-example gradient norm bound of DP-SGD, when privacy is on.</summary>
        public const double PrivacyClip = 1.0;

        /// <summary><c>privacy.noise_multiplier</c>: DP-SGD's noise std over the clip, when privacy is on.</summary>
        public const double PrivacyNoise = 1.0;

        /// <summary><c>device</c>: where local training runs.</summary>
        public const ComputeDevice Device = ComputeDevice.Cpu;

        /// <summary><c>server_data.size</c>: samples the server holds (FLTrust's root data set), when given.</summary>
        public const int ServerDataSize = 100;

        /// <summary><c>server_data.source</c>: where the server's samples come from.</summary>
        public const ServerDataSource ServerDataSource = ByzantineSim.Simulator.Setup.ServerDataSource.Train;

        /// <summary><c>adversary.identities</c>: the adversary controls the last f ids, every round.</summary>
        public const IdentityMode Identities = IdentityMode.Fixed;

        /// <summary><c>threat.server_knows_count</c>: the rule is told the true f.</summary>
        public const bool ServerKnowsCount = true;

        /// <summary><c>unreliable.degradation</c>: how an unreliable client's data is degraded.</summary>
        public const ByzantineSim.Clients.Data.DegradationKind Degradation = ByzantineSim.Clients.Data.DegradationKind.Blur;

        /// <summary><c>unreliable.level</c> under blur: the Gaussian kernel's sigma in pixels.</summary>
        public const double BlurSigma = 1.0;

        /// <summary><c>unreliable.level</c> under downsample: images become block means over factor x factor pixels.</summary>
        public const int DownsampleFactor = 2;

        /// <summary><c>unreliable.level</c> under noise: additive Gaussian noise with this share of the feature range as std.</summary>
        public const double PixelNoise = 0.1;

        /// <summary><c>unreliable.level</c> under labels: the share of labels replaced at random.</summary>
        public const double RandomLabels = 0.5;

        /// <summary>Probability that an unreliable client takes a local step (MUD-HoG's --unreliable_fracTrain when 0.3): every step.</summary>
        public const double UnreliableTrainFraction = 1;

        /// <summary>Probability that an unreliable client's trained batch is degraded (MUD-HoG's --unreliable_fraction when 0.5): every batch.</summary>
        public const double UnreliableDegradedFraction = 1;

        /// <summary>The Defaults table of docs/experiments.md, generated from the constants above.</summary>
        public static string MarkdownTable()
        {
            var model = ModelCatalog.Registry.All.Single(d => d.Name == Model);
            string modelOptions = string.Join(", ", model.Parameters.Select(p => $"{p.Name} {p.DefaultText}"));
            (string Key, string Value)[] rows =
            [
                ("seed", N(Seed)),
                ("data", Data),
                ("partition", Partition),
                ("model", modelOptions.Length == 0 ? Model : $"{Model} ({modelOptions})"),
                ("clients", $"n {N(Clients)}, f {N(Byzantine)}"),
                ("training", $"rounds {N(Rounds)}, batch_size {N(BatchSize)}, learning_rate {N(LearningRate)}, no milestones, lr_gamma {N(Gamma)}, " +
                    $"weight_decay {N(WeightDecay)}, worker_momentum {N(WorkerMomentum)}, momentum_form {SpecWords.MomentumForm.Word(MomentumForm)}, " +
                    $"server_momentum {N(ServerMomentum)}, eval_every {N(EvalEvery)}, label_smoothing {N(LabelSmoothing)}"),
                ("aggregator", Aggregator),
                ("attack", Attack),
                ("threat", $"omniscient {B(Omniscient)}, knows_aggregator {B(KnowsAggregator)}, server_knows_count {B(ServerKnowsCount)}"),
                ("adversary", $"identities {SpecWords.Identities.Word(Identities)} (the last f ids; rotating needs period; random takes count, default f, or fraction), one attack (no groups)"),
                ("unreliable", $"none (when given: degradation {SpecWords.Degradation.Word(Degradation)}; level: blur sigma {N(BlurSigma)}, downsample factor {N(DownsampleFactor)}, " +
                    $"noise {N(PixelNoise)} of the feature range, labels share {N(RandomLabels)}; train_fraction {N(UnreliableTrainFraction)}, degraded_fraction {N(UnreliableDegradedFraction)})"),
                ("label_dilution", "none (when given: alpha required, alpha 0 is none; clients all; fresh_labels false)"),
                ("server", $"non_finite {SpecWords.NonFinite.Word(NonFinite)} (NaN/Inf updates go to the rule; exclude drops them), " +
                    $"round_timeout {N(RoundTimeoutSeconds)} s, {(double.IsFinite(DeadlineSeconds) ? $"deadline {N(DeadlineSeconds)} s" : "no deadline")}"),
                ("faults", $"none (when given: crash.from_round {N(CrashFromRound)}; stragglers.delay {SpecWords.Delay.Word(Delay)}, mean {N(DelayMean)}, low {N(DelayLow)}, high {N(DelayHigh)}; " +
                    $"message_loss {N(MessageLoss)})"),
                ("device", SpecWords.Device.Word(Device)),
                ("training (fedavg)", $"algorithm {SpecWords.Algorithm.Word(Algorithm)}, local_steps {N(LocalSteps)}, local_learning_rate {N(LocalLearningRate)}, " +
                    $"send {SpecWords.Send.Word(Send)}, weighting {SpecWords.Weighting.Word(Weighting)}, participation {N(Participation)}, clip_norm {N(ClipNorm)}"),
                ("training (augmentation)", $"none (when given: crop_padding {N(CropPadding)}, horizontal_flip {B(HorizontalFlip)})"),
                ("compression", Compression),
                ("server_data", $"none (when given: size {N(ServerDataSize)}, source {SpecWords.ServerDataSource.Word(ServerDataSource)}, seed: the run's seed)"),
                ("privacy", $"off (when given: clip {N(PrivacyClip)}, noise_multiplier {N(PrivacyNoise)}; `clip: 0, noise_multiplier: 0` is off, as `spec.yaml` writes it)"),
            ];
            return "| key | default |\n|---|---|\n" + string.Concat(rows.Select(r => $"| {r.Key} | {r.Value} |\n"));
        }

        private static string N(double value) => Canonical.Number(value);

        private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static string B(bool value) => value ? "true" : "false";
    }
}
