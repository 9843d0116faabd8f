using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using ByzantineSim.Experiments.Cluster;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Specs;
using ByzantineSim.Simulator;
using Spectre.Console;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// <c>byzsim cluster coordinator|worker</c>: one sweep across machines on Akka.Cluster. The
/// coordinator owns the spec, the queue and the results folder; workers join it, execute runs with
/// the local-mode simulator and send back the result files. For trusted networks: it binds to one
/// interface (127.0.0.1 unless told otherwise), and with <c>--certificate</c> every connection is
/// TLS with both ends presenting the same pinned certificate.
/// </summary>
public static class ClusterCommand
{
    /// <summary>Environment variable read for the certificate password when no option gives it.</summary>
    public const string PasswordVariable = "BYZSIM_CERTIFICATE_PASSWORD";

    /// <summary>Creates the <c>byzsim cluster</c> command with its <c>coordinator</c> and <c>worker</c> subcommands, with its options and handler.</summary>
    public static Command Create() =>
        new("cluster", "Run a sweep across machines: a coordinator owns it, workers join and execute its runs (trusted networks only)")
        {
            Coordinator(),
            Worker(),
        };

    private sealed record NodeOptions(Option<string> Hostname, Option<int> Port, Option<FileInfo?> Certificate, Option<string?> Password, Option<double> FailureTimeout)
    {
        public static NodeOptions Create(int defaultPort) => new(
            new Option<string>("--hostname")
            {
                Description = "interface to bind and the address other nodes use to reach this one",
                DefaultValueFactory = _ => "127.0.0.1",
            },
            new Option<int>("--port") { Description = "TCP port (0: any free port)", DefaultValueFactory = _ => defaultPort },
            new Option<FileInfo?>("--certificate") { Description = "PFX certificate: turns on TLS; every node must use the same one" },
            new Option<string?>("--certificate-password") { Description = $"password of the PFX (default: ${PasswordVariable}, else empty)" },
            new Option<double>("--failure-timeout")
            {
                Description = "seconds of silence before a node counts as unreachable, and again before it is downed",
                DefaultValueFactory = _ => 10,
            });

        public void AddTo(Command command)
        {
            command.Options.Add(Hostname);
            command.Options.Add(Port);
            command.Options.Add(Certificate);
            command.Options.Add(Password);
            command.Options.Add(FailureTimeout);
        }

        /// <summary>The node's settings, or null after printing what is wrong.</summary>
        public ClusterNodeOptions? Read(ParseResult parse, string role, string? seed, TimeSpan? joinTimeout)
        {
            var errors = new List<string>();
            double timeout = parse.GetValue(FailureTimeout);
            if (!(timeout >= 0.5))
            {
                errors.Add($"--failure-timeout: must be at least 0.5 seconds, got {timeout.ToString(CultureInfo.InvariantCulture)}");
            }

            int port = parse.GetValue(Port);
            if (port is < 0 or > 65535)
            {
                errors.Add($"--port: must be 0-65535, got {port}");
            }

            ClusterTls? tls = null;
            if (parse.GetValue(Certificate) is { } certificate)
            {
                if (!certificate.Exists)
                {
                    errors.Add($"--certificate: no such file: {certificate}");
                }

                tls = new ClusterTls(certificate.FullName, parse.GetValue(Password) ?? Environment.GetEnvironmentVariable(PasswordVariable) ?? "");
            }

            if (port > 0 && errors.Count == 0 && PortInUse(parse.GetValue(Hostname)!, port) is { } inUse)
            {
                errors.Add($"--port: {inUse}; choose another port (or stop what holds it: another coordinator?)");
            }

            if (seed is not null && ClusterNodeOptions.CheckHostAndPort(seed) is { } bad)
            {
                errors.Add($"--seed: {bad}");
            }

            foreach (string error in errors)
            {
                Console.Error.WriteLine(error);
            }

            return errors.Count > 0 ? null : new ClusterNodeOptions(role, parse.GetValue(Hostname)!, port, seed, tls, TimeSpan.FromSeconds(timeout), joinTimeout);
        }
    }

    /// <summary>
    /// Why <paramref name="host"/>:<paramref name="port"/> cannot be bound, or null. Checked
    /// before the actor system starts, whose own bind failure surfaces as nested aggregate
    /// exceptions after it has logged a trace.
    /// </summary>
    private static string? PortInUse(string host, int port)
    {
        try
        {
            var address = System.Net.IPAddress.TryParse(host, out var ip) ? ip : System.Net.Dns.GetHostAddresses(host).First();
            var listener = new System.Net.Sockets.TcpListener(address, port) { ExclusiveAddressUse = true };
            listener.Start();
            listener.Stop();
            return null;
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            return $"cannot listen on {host}:{port}: {ex.Message}";
        }
    }

    /// <summary>The node's TLS setup, or null after printing why the certificate cannot be used.</summary>
    private static bool TryTls(ClusterNodeOptions node, out Setup? setup)
    {
        try
        {
            setup = node.ToSetup();
            return true;
        }
        catch (CryptographicException ex)
        {
            Console.Error.WriteLine($"--certificate: cannot use {node.Tls?.CertificatePath}: {ex.Message}");
            setup = null;
            return false;
        }
    }

    private static Action<string> Logger()
    {
        var clock = Stopwatch.StartNew();
        return line => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1}s] {line}"));
    }

    private static Command Coordinator()
    {
        var file = new Argument<FileInfo>("file") { Description = "the sweep spec (YAML)" };
        var results = new Option<DirectoryInfo>("--results")
        {
            Description = "root folder of results (restarting on the same folder resumes the sweep)",
            DefaultValueFactory = _ => new DirectoryInfo("results"),
        };
        var node = NodeOptions.Create(ClusterNodeOptions.DefaultPort);
        var command = new Command("coordinator", "Own a sweep: hand its runs to the workers that join, store their results, requeue the runs of lost workers")
        {
            file, results,
        };
        node.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var plan = Program.Load(parse.GetValue(file)!);
            var options = node.Read(parse, ClusterNodeOptions.CoordinatorRole, seed: null, joinTimeout: null);
            if (plan is null || options is null || !TryTls(options, out var tls))
            {
                return Program.InvalidInput;
            }

            var store = new ResultsStore(Program.ResultsRoot(parse.GetValue(results)!, plan), plan.Name);
            using var claim = FolderClaim.TryClaim(store);
            if (claim is null)
            {
                return Program.RunFailed;
            }

            var statuses = plan.Runs.ToDictionary(run => run.Id, store.Status);
            var toRun = plan.Runs.Where(run => statuses[run.Id] != RunStatus.Complete).ToList();
            Console.WriteLine($"sweep '{plan.Name}': {English.Count(plan.Runs.Length, "run")}: {statuses.Values.Count(s => s == RunStatus.Complete)} complete, " +
                $"{statuses.Values.Count(s => s == RunStatus.Incomplete)} left incomplete by an earlier attempt, " +
                $"{statuses.Values.Count(s => s == RunStatus.Pending)} new; running {toRun.Count}");
            store.WriteIndex(plan);

            var log = Logger();
            var bootstrap = BootstrapSetup.Create().WithConfig(options.ToConfig());
            var system = ActorSystem.Create(ClusterNodeOptions.SystemName, tls is null ? ActorSystemSetup.Create(bootstrap) : bootstrap.And(tls));
            var done = new TaskCompletionSource<CoordinatorOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(CoordinatorActor.Props(plan, toRun, store, log, done), ClusterNodeOptions.CoordinatorActorName);
            var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
            log($"coordinator up at {self.Host}:{self.Port}{(options.Tls is null ? "" : " (TLS)")}; start workers with: byzsim cluster worker --seed {self.Host}:{self.Port}");

            CoordinatorOutcome outcome;
            try
            {
                await done.Task.WaitAsync(cancellation).ConfigureAwait(false);
                outcome = await done.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await LeaveAsync(system).ConfigureAwait(false);
                Console.WriteLine("interrupted: start the coordinator again on the same results folder to resume");
                return Program.Interrupted;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The results folder could not be written, or the coordinator failed: stop, resumable.
                await LeaveAsync(system).ConfigureAwait(false);
                Console.Error.WriteLine($"the coordinator stopped: {ex.Message}; start it again on the same results folder to resume");
                return Program.RunFailed;
            }

            await WaitForWorkersToLeaveAsync(system, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await LeaveAsync(system).ConfigureAwait(false);
            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                console.Profile.Width = 200;
            }

            SummaryPrinter.Print(console, plan, store);
            console.WriteLine($"results: {store.Folder}");
            console.WriteLine($"{English.Count(outcome.Recorded, "run")} completed, {plan.Runs.Length - toRun.Count} already complete, {outcome.Failures.Length} failed; " +
                $"{outcome.Requeued} requeued from lost workers, {outcome.Duplicates} late duplicates dropped");
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time: {outcome.Seconds:F1} s wall from the first hand-out to the last result"));
            foreach (var (runId, reason) in outcome.Failures)
            {
                console.WriteLine($"  failed {runId}: {reason}");
            }

            return outcome.Failures.IsEmpty ? Program.Ok : Program.RunFailed;
        });
        return command;
    }

    private static Command Worker()
    {
        var seed = new Option<string>("--seed") { Description = "the coordinator's host:port", Required = true };
        var parallel = new Option<int>("--parallel", "-p")
        {
            Description = "runs this worker executes at once (its advertised capacity)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        }.AtLeast(1);
        var trainers = new Option<int>("--trainers")
        {
            Description = "trainer threads shared by this worker's runs (results do not depend on it)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        }.AtLeast(1);
        var joinTimeout = new Option<double>("--join-timeout")
        {
            Description = "seconds to keep trying to join before giving up",
            DefaultValueFactory = _ => 60,
        }.PositiveSeconds();
        var node = NodeOptions.Create(0);
        var command = new Command("worker", "Join a coordinator's cluster and execute the runs it hands out until its sweep is finished")
        {
            seed, parallel, trainers, joinTimeout,
        };
        node.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            int capacity = parse.GetValue(parallel);
            double join = parse.GetValue(joinTimeout);
            var options = node.Read(parse, ClusterNodeOptions.WorkerRole, parse.GetValue(seed), TimeSpan.FromSeconds(join));
            if (options is null || !TryTls(options, out var tls))
            {
                return Program.InvalidInput;
            }

            var log = Logger();
            await using var simulator = SimulatorSystem.Create(parse.GetValue(trainers), ClusterNodeOptions.SystemName, options.ToConfig(), tls);
            var done = new TaskCompletionSource<WorkerExit>(TaskCreationOptions.RunContinuationsAsynchronously);
            simulator.System.ActorOf(WorkerActor.Props(simulator, capacity, log, done), "worker");
            log($"worker joining {options.Seed}{(options.Tls is null ? "" : " (TLS)")}");

            var ended = await Task.WhenAny(done.Task, simulator.System.WhenTerminated, Task.Delay(Timeout.Infinite, cancellation)).ConfigureAwait(false);
            if (ended == done.Task && done.Task.Result == WorkerExit.SweepFinished)
            {
                await LeaveAsync(simulator.System).ConfigureAwait(false);
                log("the sweep is finished; left the cluster");
                return Program.Ok;
            }

            await LeaveAsync(simulator.System).ConfigureAwait(false);
            if (cancellation.IsCancellationRequested)
            {
                log("interrupted: left the cluster; the coordinator requeues this worker's runs");
                return Program.Interrupted;
            }

            Console.Error.WriteLine(done.Task.IsCompleted
                ? "lost the coordinator before the sweep was finished"
                : $"could not join the cluster at {options.Seed} within {join} s, or was removed from it: is the coordinator running there, and do both nodes use the same certificate?");
            return Program.RunFailed;
        });
        return command;
    }

    /// <summary>
    /// Waits, at most <paramref name="limit"/>, until every reachable worker has begun to leave:
    /// each leaves when told the sweep is finished. A coordinator that left first could be seen
    /// to vanish before that message was read, and the worker would report a lost coordinator.
    /// </summary>
    private static async Task WaitForWorkersToLeaveAsync(ActorSystem system, TimeSpan limit)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var state = cluster.State;
            if (!state.Members.Any(m => m.HasRole(ClusterNodeOptions.WorkerRole)
                && m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up
                && !state.Unreachable.Contains(m)))
            {
                return;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Leaves the cluster gracefully and stops the actor system.</summary>
    private static async Task LeaveAsync(ActorSystem system)
    {
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
        await system.WhenTerminated.ConfigureAwait(false);
    }
}
