using System.Collections.Immutable;
using Akka.Actor;
using ByzantineSim.Experiments.Results;
using ByzantineSim.Experiments.Specs;

namespace ByzantineSim.Experiments.Cluster;

/// <summary>
/// Marks the messages that cross the network between a sweep's coordinator and its workers.
/// Only these are bound to <see cref="ClusterMessageSerializer"/>; with unregistered types
/// refused, nothing else of this project can be sent between nodes.
/// </summary>
public interface IClusterMessage;

/// <summary>A worker offers itself to the coordinator (and repeats it until accepted).</summary>
/// <param name="Capacity">Runs it executes at once.</param>
public sealed record RegisterWorker(int Capacity) : IClusterMessage;

/// <summary>
/// What a worker reports about a run. Reports travel through Akka's reliable delivery (a
/// producer controller on the worker, a consumer controller on the coordinator), which resends
/// lost ones and cuts large ones into chunks that fit the transport's frame.
/// </summary>
public interface IRunReport : IClusterMessage;

/// <summary>The coordinator accepted a worker for its sweep.</summary>
/// <param name="Sweep">The sweep's name.</param>
/// <param name="Reports">The coordinator's consumer controller for this worker's reports.</param>
public sealed record WorkerRegistered(string Sweep, IActorRef Reports) : IClusterMessage;

/// <summary>The coordinator hands a run to a worker: only its canonical spec, never data.</summary>
/// <param name="RunId">The run's id (its results folder).</param>
/// <param name="Spec">Its canonical spec text (what <c>spec.yaml</c> holds).</param>
/// <param name="Labels">Its axis values, for its summary.</param>
public sealed record RunAssigned(string RunId, string Spec, ImmutableArray<AxisValue> Labels) : IClusterMessage;

/// <summary>A worker finished a run: the text of its result files, ready to be stored.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="SpecHash">Hash of the spec the worker ran, checked against the coordinator's.</param>
/// <param name="Files">The run's files, <c>summary.json</c> last.</param>
public sealed record RunSucceeded(string RunId, string SpecHash, ImmutableArray<ResultFile> Files) : IRunReport;

/// <summary>A run failed on a worker (the spec or the simulation threw); it is not retried.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Reason">The error message.</param>
public sealed record RunFailedOnWorker(string RunId, string Reason) : IRunReport;

/// <summary>The sweep is over: the worker leaves the cluster and exits.</summary>
public sealed record SweepFinished : IClusterMessage
{
    /// <summary>The shared instance: the message carries no data.</summary>
    public static SweepFinished Instance { get; } = new();
}
