using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// What <see cref="ServerState.Apply"/> asks its actor to do, in order: the side effects of a
/// transition (messages, timers, callbacks, the end of the run), none of which the state performs.
/// </summary>
public abstract record ServerCommand;

/// <summary>Send <paramref name="Message"/> to honest client <paramref name="ClientId"/>.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Message">The message (a <see cref="RoundStarted"/>).</param>
public sealed record TellClient(int ClientId, object Message) : ServerCommand;

/// <summary>Send <paramref name="Message"/> to the coalition of Byzantine identities.</summary>
/// <param name="Message">A <see cref="RoundStarted"/> or <see cref="HonestUpdatesRevealed"/>.</param>
public sealed record TellCoalition(object Message) : ServerCommand;

/// <summary>Send <paramref name="Message"/> (a <see cref="RoundStarted"/>) to the server's own client on its root data.</summary>
/// <param name="Message">The message.</param>
public sealed record TellServerData(object Message) : ServerCommand;

/// <summary>Send one part of an evaluation to the trainer pool; its reply comes back to the server.</summary>
/// <param name="Request">The part.</param>
public sealed record StartEvaluationPart(EvaluateModel Request) : ServerCommand;

/// <summary>Deliver <paramref name="Deadline"/> to the server after <paramref name="After"/> of wall-clock time, replacing any earlier one.</summary>
/// <param name="Deadline">The round's deadline message.</param>
/// <param name="After">The round's wall-clock timeout.</param>
public sealed record ScheduleTimeout(RoundDeadlinePassed Deadline, TimeSpan After) : ServerCommand;

/// <summary>Cancel the scheduled round deadline.</summary>
public sealed record CancelTimeout : ServerCommand;

/// <summary>Report the run's progress to the caller's callback, if any.</summary>
/// <param name="Progress">Where the run is.</param>
public sealed record ReportProgress(RunProgress Progress) : ServerCommand;

/// <summary>
/// Apply this same record to the state as soon as the commands before it have run: the closed
/// round is recorded after the next round has been started, so that its clients and trainers
/// compute while the server does the bookkeeping.
/// </summary>
public sealed record RecordClosedRound : ServerCommand;

/// <summary>The run is over: reply <see cref="RunFinished"/> to whoever began it and stop.</summary>
/// <param name="Result">What it measured.</param>
public sealed record Complete(RunResult Result) : ServerCommand;

/// <summary>The run failed: report <paramref name="Reason"/> to whoever began it and stop.</summary>
/// <param name="Reason">The unexpected error.</param>
public sealed record Fail(Exception Reason) : ServerCommand;
