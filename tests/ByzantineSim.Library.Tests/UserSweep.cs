namespace ByzantineSim.Library.Tests;

/// <summary>
/// A small real sweep built in code with a user-defined aggregator and attack, run once through
/// <see cref="Sweep.RunAsync"/> for the tests that read its results: 2 rules x 2 attacks x
/// 2 partitions x 2 seeds = 16 runs of 12 rounds on synthetic data.
/// </summary>
public sealed class UserSweep : IAsyncLifetime
{
    /// <summary>Rounds of each run (evaluated at 0, 4, 8 and 12).</summary>
    public const int Rounds = 12;

    /// <summary>The label of the user attack with its option, as runs.csv writes it.</summary>
    public const string AttackLabel = "user-reverse(scale=4)";

    /// <summary>Where the results go.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("byzsim-library-").FullName;

    /// <summary>The sweep.</summary>
    public Sweep Sweep { get; private set; } = null!;

    /// <summary>What the run returned.</summary>
    public Results Results { get; private set; } = null!;

    /// <summary>Every event reported, in order of arrival.</summary>
    public IReadOnlyList<SweepEvent> Events => _events.Events;

    /// <summary>The results folder read back from the progress handler of the first completed run, while the sweep still ran.</summary>
    public Results? MidRun { get; private set; }

    private readonly Recorder _events;

    /// <summary>Creates the fixture; its recorder snapshots the results folder when the first run completes.</summary>
    public UserSweep() => _events = new Recorder(e =>
    {
        if (e is SweepEvent.RunCompleted && MidRun is null)
        {
            MidRun = Results.Load(Path.Combine(Root, "user-sweep"));
        }
    });

    /// <summary>Builds the sweep (registering the user plug-ins first).</summary>
    public static Sweep Build(string name)
    {
        UserPlugins.Register();
        return Sweep.Create(name)
            .Set("data", Plugin.Of("synthetic", ("classes", 4), ("features", 8), ("train_size", 600), ("test_size", 200)))
            .Set("model", Plugin.Of("mlp", ("hidden", new[] { 8 })))
            .Set("clients", new Dictionary<string, object?> { ["n"] = 7, ["f"] = 2 })
            .Set("training", new Dictionary<string, object?> { ["rounds"] = Rounds, ["batch_size"] = 16, ["learning_rate"] = 0.5, ["eval_every"] = 4 })
            .Grid("aggregator", [UserPlugins.Median, "mean"])
            .Grid("attack", ["none", Plugin.Of(UserPlugins.Attack, ("scale", 4))])
            .Grid("partition", ["iid", Plugin.Of("dirichlet", ("alpha", 0.3))])
            .Seeds([1, 2])
            .Build();
    }

    public async Task InitializeAsync()
    {
        Sweep = Build("user-sweep");
        Results = await Sweep.RunAsync(new SweepRunOptions(Root, Parallel: 4, Trainers: 2), _events);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Records events synchronously (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    private sealed class Recorder(Action<SweepEvent> onEvent) : IProgress<SweepEvent>
    {
        private readonly Lock _gate = new();
        private readonly List<SweepEvent> _events = [];

        public IReadOnlyList<SweepEvent> Events
        {
            get
            {
                lock (_gate)
                {
                    return [.. _events];
                }
            }
        }

        public void Report(SweepEvent value)
        {
            lock (_gate)
            {
                _events.Add(value);
                onEvent(value);
            }
        }
    }
}
