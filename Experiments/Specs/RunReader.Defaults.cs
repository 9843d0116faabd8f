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
        public const long Seed = 0;
        public const string Data = "synthetic";
        public const string Partition = "iid";
        public const string Model = "mlp";
        public const int Clients = 10;
        public const int Byzantine = 0;
        public const int Rounds = 100;
        public const int BatchSize = 32;
        public const double LearningRate = 0.1;
        public const double Gamma = 0.1;
        public const double WeightDecay = 0;
        public const double WorkerMomentum = 0;
        public const MomentumForm MomentumForm = ByzantineSim.Clients.Training.MomentumForm.Average;
        public const double ServerMomentum = 0;
        public const int EvalEvery = 10;
        public const LocalMode Algorithm = LocalMode.Gradient;
        public const int LocalSteps = TrainingSettings.DefaultLocalSteps;
        public const double LocalLearningRate = TrainingSettings.DefaultLocalLearningRate;
        public const double ClipNorm = 0;
        public const double Participation = TrainingSettings.DefaultParticipation;
        public const ClientSends Send = ClientSends.Delta;
        public const UpdateWeighting Weighting = UpdateWeighting.None;
        public const int CropPadding = 0;
        public const bool HorizontalFlip = false;
        public const string Compression = "none";
        public const string Aggregator = "mean";
        public const string Attack = "none";
        public const bool Omniscient = ThreatModel.DefaultOmniscient;
        public const bool KnowsAggregator = ThreatModel.DefaultKnowsAggregator;
        public const NonFinitePolicy NonFinite = ServerSettings.DefaultNonFinite;
        public const double RoundTimeoutSeconds = ServerSettings.DefaultRoundTimeoutSeconds;
        public const double DeadlineSeconds = double.PositiveInfinity;
        public const int CrashFromRound = 0;
        public const DelayKind Delay = DelayKind.Exponential;
        public const double DelayMean = 1.0;
        public const double DelayLow = 0.0;
        public const double DelayHigh = 2.0;
        public const double MessageLoss = 0;
        public const double PrivacyClip = 1.0;
        public const double PrivacyNoise = 1.0;
        public const ComputeDevice Device = ComputeDevice.Cpu;
        public const int ServerDataSize = 100;
        public const ServerDataSource ServerDataSource = ByzantineSim.Simulator.Setup.ServerDataSource.Train;
        public const IdentityMode Identities = IdentityMode.Fixed;
        public const bool ServerKnowsCount = true;
        public const ByzantineSim.Clients.Data.DegradationKind Degradation = ByzantineSim.Clients.Data.DegradationKind.Blur;
        public const double BlurSigma = 1.0;
        public const int DownsampleFactor = 2;
        public const double PixelNoise = 0.1;
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
                    $"server_momentum {N(ServerMomentum)}, eval_every {N(EvalEvery)}"),
                ("aggregator", Aggregator),
                ("attack", Attack),
                ("threat", $"omniscient {B(Omniscient)}, knows_aggregator {B(KnowsAggregator)}, server_knows_count {B(ServerKnowsCount)}"),
                ("adversary", $"identities {SpecWords.Identities.Word(Identities)} (the last f ids; rotating needs period; random takes count, default f, or fraction), one attack (no groups)"),
                ("unreliable", $"none (when given: degradation {SpecWords.Degradation.Word(Degradation)}; level: blur sigma {N(BlurSigma)}, downsample factor {N(DownsampleFactor)}, " +
                    $"noise {N(PixelNoise)} of the feature range, labels share {N(RandomLabels)}; train_fraction {N(UnreliableTrainFraction)}, degraded_fraction {N(UnreliableDegradedFraction)})"),
                ("label_dilution", "none (when given: alpha required, alpha 0 is none; clients all)"),
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
