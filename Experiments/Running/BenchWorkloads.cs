using System.Collections.Immutable;
using System.Diagnostics;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator;
using ByzantineSim.Simulator.Server;

namespace ByzantineSim.Experiments.Running;

/// <summary>A fixed end-to-end workload of <c>byzsim bench</c>.</summary>
/// <param name="Id">Number used on the command line.</param>
/// <param name="Title">What it is.</param>
/// <param name="Yaml">The run, as a one-run sweep spec; <c>{rounds}</c> is substituted.</param>
/// <param name="DefaultRounds">Rounds measured by default.</param>
public sealed record BenchWorkload(int Id, string Title, string Yaml, int DefaultRounds)
{
    /// <summary>
    /// True when the run reads CIFAR-10 binary files generated for it (<see cref="BenchWorkloads.WriteCifar10"/>)
    /// into a temporary folder, substituted for <c>{folder}</c>. <value>false</value>
    /// </summary>
    public bool GeneratedCifar10 { get; init; }

    /// <summary>
    /// True when <c>byzsim bench</c> without <c>--workload</c> runs it; a workload that takes
    /// minutes on a CPU (ResNet-20) runs only when named.
    /// </summary>
    public bool ByDefault { get; init; } = true;

    /// <summary>
    /// True when the measured rounds are those that close after the initial model's evaluation
    /// has ended, not all rounds after round 0 (see <see cref="BenchWorkloads.MeasuredWindow"/>):
    /// for a workload whose evaluation lasts many rounds (ResNet-20's single 1,000-image part takes
    /// one trainer for about ten rounds), rounds overlapping it run on one trainer fewer.
    /// Off for workloads 1-3, whose figures in docs/PERFORMANCE.md keep their method. <value>false</value>
    /// </summary>
    public bool MeasureAfterInitialEvaluation { get; init; }
}

/// <summary>What one workload measured.</summary>
/// <param name="Workload">The workload.</param>
/// <param name="Rounds">Rounds run.</param>
/// <param name="Trainers">Trainer threads.</param>
/// <param name="WallSeconds">Wall time of the run (rounds plus the final evaluation).</param>
/// <param name="RoundSeconds">
/// Mean wall time per round after the first (round 0 overlaps the initial model's evaluation);
/// the final evaluation comes after the last round and is not included.
/// </param>
/// <param name="ComputeSeconds">Per round: honest client computation, summed over trainers.</param>
/// <param name="AttackSeconds">Per round: the attack (Byzantine training and crafting).</param>
/// <param name="CraftingSeconds">Per round: the crafting part of the attack.</param>
/// <param name="AggregationSeconds">Per round: aggregation and the server step.</param>
/// <param name="EvaluationSeconds">
/// Wall time of the final test-set evaluation (after the last round, so nothing else runs; its
/// parts are spread over the trainers).
/// </param>
/// <param name="PeakMemoryBytes">Peak resident memory of the process.</param>
/// <param name="ImbalanceSeconds">
/// Per round: trainers waiting for the slowest one at the end of the round's training, as wall
/// time (trainer-seconds divided by the trainers; see <c>WorkQueue.TailIdleSeconds</c>).
/// </param>
public sealed record BenchResult(
    BenchWorkload Workload,
    int Rounds,
    int Trainers,
    double WallSeconds,
    double RoundSeconds,
    double ComputeSeconds,
    double AttackSeconds,
    double CraftingSeconds,
    double AggregationSeconds,
    double EvaluationSeconds,
    long PeakMemoryBytes,
    double ImbalanceSeconds)
{
    /// <summary>
    /// Per round: time not spent computing, attacking or aggregating, and not waiting for the
    /// slowest trainer (<see cref="ImbalanceSeconds"/>). Training (honest and Byzantine) is
    /// spread over the trainers; crafting and aggregation are serial stages of the round (they
    /// wait for every update, and the next round waits for them). What is left is actors,
    /// messaging, and the server's handling of each update (checks, copies into the round's matrix).
    /// </summary>
    public double OverheadSeconds => Math.Max(0, UnaccountedSeconds - ImbalanceSeconds);

    /// <summary>Per round: <see cref="OverheadSeconds"/> and <see cref="ImbalanceSeconds"/> together, what the round took beyond its stages.</summary>
    public double UnaccountedSeconds =>
        Math.Max(0, RoundSeconds - ((ComputeSeconds + AttackSeconds - CraftingSeconds) / Trainers) - CraftingSeconds - AggregationSeconds);

    /// <summary>Rounds per second.</summary>
    public double RoundsPerSecond => 1 / RoundSeconds;

    /// <summary>Rounds the per-round figures average over (all after round 0 unless <see cref="BenchWorkload.MeasureAfterInitialEvaluation"/>).</summary>
    public int MeasuredRounds { get; init; } = Rounds - 1;
}

/// <summary>
/// The end-to-end workloads of the performance issue: (1) ByzFL's reference configuration,
/// cnn_mnist on Fashion-MNIST with 10 honest and 2 sign-flipping clients and trimmed mean,
/// batch 25; (2) an MLP on Fashion-MNIST with n = 100, f = 20, krum against ALIE; (3) logistic
/// regression on synthetic data with 10,000 clients and 1% participation; (4) ResNet-20 on
/// generated CIFAR-10-format files, with W1's population, rule and attack.
/// </summary>
public static class BenchWorkloads
{
    /// <summary>Every workload.</summary>
    public static ImmutableArray<BenchWorkload> All { get; } =
    [
        new(1, "cnn_mnist, Fashion-MNIST, 10 honest + 2 sign-flip, trimmed mean, batch 25", """
            sweep: bench-1
            base:
              data: fashion-mnist
              model: cnn_mnist
              clients: { n: 12, f: 2 }
              aggregator: trimmed-mean
              attack: sign-flip
              training: { rounds: {rounds}, batch_size: 25, learning_rate: 0.05, eval_every: {rounds} }
            """, 50),
        new(2, "MLP, Fashion-MNIST, n = 100, f = 20, krum vs ALIE", """
            sweep: bench-2
            base:
              data: fashion-mnist
              model: { name: mlp, hidden: [128] }
              clients: { n: 100, f: 20 }
              aggregator: krum
              attack: alie
              training: { rounds: {rounds}, batch_size: 32, learning_rate: 0.1, eval_every: {rounds} }
            """, 20),
        new(3, "logistic regression, synthetic, 10,000 clients, 1% participation", """
            sweep: bench-3
            base:
              data: { name: synthetic, classes: 10, features: 32, train_size: 100000, test_size: 5000 }
              model: logistic
              clients: { n: 10000, f: 100 }
              aggregator: { name: trimmed-mean, f: 5 }
              attack: sign-flip
              training: { rounds: {rounds}, batch_size: 10, learning_rate: 0.1, participation: 0.01, eval_every: {rounds} }
            """, 100),
        new(4, "ResNet-20, generated CIFAR-10-format files (5,000 train, 1,000 test), 10 honest + 2 sign-flip, trimmed mean, batch 32", """
            sweep: bench-4
            base:
              data: { name: cifar-10, folder: {folder} }
              model: resnet20
              clients: { n: 12, f: 2 }
              aggregator: trimmed-mean
              attack: sign-flip
              training: { rounds: {rounds}, batch_size: 32, learning_rate: 0.1, eval_every: {rounds} }
            """, 10) { GeneratedCifar10 = true, ByDefault = false, MeasureAfterInitialEvaluation = true },
    ];

    /// <summary>Training records per CIFAR-10 batch file of workload 4 (five files).</summary>
    public const int Cifar10PerBatch = 1000;

    /// <summary>Test records of workload 4.</summary>
    public const int Cifar10Test = 1000;

    /// <summary>
    /// Writes the CIFAR-10 binary files workload 4 reads into <paramref name="folder"/>
    /// (<c>data_batch_1..5.bin</c>, <c>test_batch.bin</c>; see <see cref="Clients.Data.GeneratedCifar"/>):
    /// the same bytes every time, so a peer simulator can be fed the very files.
    /// </summary>
    public static void WriteCifar10(string folder) => Clients.Data.GeneratedCifar.WriteCifar10(folder, Cifar10PerBatch, Cifar10Test);

    /// <summary>
    /// Measures <paramref name="workload"/>: a two-round warm-up run, then the measured run. The
    /// warm-up compiles what the simulator runs only once per round: without it, the close of the
    /// measured run's round 0 (which starts the measured window) and the first rounds after it
    /// would JIT-compile the run recorder's code inside the window; in a sweep, a process pays
    /// that once.
    /// </summary>
    public static async Task<BenchResult> RunAsync(BenchWorkload workload, int rounds, int trainers, CancellationToken cancellationToken)
    {
        if (rounds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "the bench measures the rounds after the first: give at least 2");
        }

        string? folder = null;
        if (workload.GeneratedCifar10)
        {
            folder = Directory.CreateTempSubdirectory("byzsim-bench-cifar10-").FullName;
            WriteCifar10(folder);
            workload = workload with { Yaml = workload.Yaml.Replace("{folder}", folder, StringComparison.Ordinal) };
        }

        try
        {
            await MeasureAsync(workload, 2, trainers, cancellationToken, warmUp: true).ConfigureAwait(false);
            GC.Collect();
            return await MeasureAsync(workload, rounds, trainers, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (folder is not null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Runs <paramref name="workload"/> once and measures it (a warm-up run's window always starts at round 0).</summary>
    private static async Task<BenchResult> MeasureAsync(BenchWorkload workload, int rounds, int trainers, CancellationToken cancellationToken, bool warmUp = false)
    {
        var plan = SweepLoader.Parse(workload.Yaml.Replace("{rounds}", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), $"bench-{workload.Id}");
        await using var simulator = SimulatorSystem.Create(trainers, $"bench-{workload.Id}");
        var clock = Stopwatch.StartNew();

        // The trainers' tail idle time over the measured rounds: read as each round closes, kept
        // for the first and the last round of the window.
        var tailAt = new Dictionary<int, double>();
        void Progress(RunProgress progress) => tailAt[progress.RoundsCompleted] = simulator.TrainerTailIdleSeconds;

        var result = await simulator.RunAsync(plan.Runs.Single().Setup, Progress, cancellationToken).ConfigureAwait(false);
        double wall = clock.Elapsed.TotalSeconds;
        var evaluations = result.Evaluations.Where(e => e.Round > 0).ToList();
        double lastRoundClosed = result.Rounds[^1].ElapsedSeconds;

        // Round 0 shares the trainers with the evaluation of the initial model (as long as several
        // rounds for cnn_mnist): measure from the close of round 0, over the rounds after it, or
        // from the first round closing after that evaluation ended.
        int first = MeasuredWindow(
            [.. result.Rounds.Select(r => r.ElapsedSeconds)],
            workload.MeasureAfterInitialEvaluation && !warmUp ? result.Evaluations.FirstOrDefault(e => e.Round == 0)?.EvaluationSeconds : null);
        var measured = result.Rounds.Skip(first + 1).ToList();
        using var process = Process.GetCurrentProcess();
        return new BenchResult(
            workload,
            rounds,
            simulator.TrainerCount,
            wall,
            (lastRoundClosed - result.Rounds[first].ElapsedSeconds) / measured.Count,
            measured.Average(r => r.ComputeSeconds),
            measured.Average(r => r.AttackSeconds),
            measured.Average(r => r.CraftingSeconds),
            measured.Average(r => r.AggregationSeconds),
            evaluations.Count == 0 ? double.NaN : result.Elapsed.TotalSeconds - lastRoundClosed,
            process.PeakWorkingSet64,
            (tailAt.GetValueOrDefault(rounds) - tailAt.GetValueOrDefault(first + 1)) / simulator.TrainerCount / measured.Count) { MeasuredRounds = measured.Count };
    }

    /// <summary>
    /// The round whose close starts the measured window: round 0, or with
    /// <paramref name="initialEvaluationSeconds"/> (the trainer seconds of the initial model's
    /// evaluation) the first round closing at or after that many seconds into the run. The
    /// evaluation's parts are queued before round 0's gradients, so trainers take them first and
    /// it has ended by then: its parts' summed time bounds its wall time. Throws when no round
    /// is left to measure after it.
    /// </summary>
    /// <param name="roundsClosed">When each round closed, seconds since the run started.</param>
    /// <param name="initialEvaluationSeconds">Null to start at round 0.</param>
    public static int MeasuredWindow(IReadOnlyList<double> roundsClosed, double? initialEvaluationSeconds)
    {
        if (initialEvaluationSeconds is not { } end)
        {
            return 0;
        }

        int first = 0;
        while (first < roundsClosed.Count && roundsClosed[first] < end)
        {
            first++;
        }

        if (first >= roundsClosed.Count - 1)
        {
            throw new InvalidOperationException(
                $"the initial evaluation took {end:F1} s, until after round {Math.Min(first, roundsClosed.Count - 1)} of {roundsClosed.Count}: " +
                "no round is left to measure after it; give more --rounds");
        }

        return first;
    }
}
