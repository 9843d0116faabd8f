using System.Diagnostics;
using Akka.Actor;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Setup;
using ByzantineSim.Simulator.Protocol;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The parameter server of one run, and the run's owner: it creates the clients and the
/// coalition and replies <see cref="RunFinished"/> to whoever sent <see cref="BeginRun"/>. Every
/// decision is <see cref="ServerState"/>'s: this class only routes the messages it receives to
/// <see cref="ServerState.Apply"/> and executes the commands that come back, in order.
/// </summary>
public sealed class ServerActor : ReceiveActor, IWithTimers
{
    private readonly RunContext _run;
    private readonly Stopwatch _clock = new();
    private HonestClients? _honest;
    private ServerState _state;
    private IActorRef? _coalition;
    private IActorRef? _serverData;
    private IActorRef _requester = ActorRefs.Nobody;
    private bool _stopped;

    /// <summary>Creates the server of <paramref name="run"/>.</summary>
    public ServerActor(RunContext run)
    {
        _run = run;
        _state = new ServerState(run, () => _clock.Elapsed);
        Receive<BeginRun>(begin =>
        {
            _requester = Sender;
            _clock.Start();
            Handle(begin);
        });
        Receive<UpdateSubmitted>(Handle);
        Receive<UpdateFailed>(Handle);
        Receive<CoalitionFinished>(Handle);
        Receive<CoalitionLeftRound>(Handle);
        Receive<RoundDeadlinePassed>(Handle);
        Receive<ModelEvaluated>(Handle);
        Receive<ComputationFailed>(Handle);
        Receive<ServerUpdateComputed>(Handle);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart() => (_honest, _coalition, _serverData) = RunParticipants.Start(Context, _run);

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() =>
        // A client that throws is stopped and from then on counts as missing (crash-stop), never restarted with lost state.
        new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Applies <paramref name="message"/> and executes the commands; an error executing them fails the run like one in the state.</summary>
    private void Handle(object message)
    {
        try
        {
            (_state, var commands) = _state.Apply(message);
            foreach (var command in commands.TakeWhile(_ => !_stopped))
            {
                Execute(command);
            }
        }
#pragma warning disable CA1031 // Reported to the requester as the run's failure (e.g. a throwing progress callback).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Stop(new Status.Failure(ex));
        }
    }

    private void Execute(ServerCommand command)
    {
        switch (command)
        {
            case TellClient tell:
                _honest!.Tell(tell.ClientId, tell.Message);
                break;
            case TellCoalition tell:
                _coalition?.Tell(tell.Message);
                break;
            case TellServerData tell:
                _serverData?.Tell(tell.Message);
                break;
            case StartEvaluationPart part:
                _run.Trainers.Tell(part.Request, Self);
                break;
            case ScheduleTimeout timeout:
                Timers.StartSingleTimer("deadline", timeout.Deadline, timeout.After);
                break;
            case CancelTimeout:
                Timers.Cancel("deadline");
                break;
            case ReportProgress progress:
                _run.Progress?.Invoke(progress.Progress);
                break;
            case RecordClosedRound record:
                Handle(record); // after the commands before it: the next round runs during the bookkeeping
                break;
            case Complete complete:
                Stop(new RunFinished(complete.Result));
                break;
            case Fail fail:
                Stop(new Status.Failure(fail.Reason));
                break;
            default:
                throw new InvalidOperationException($"no execution for {command.GetType().Name}");
        }
    }

    /// <summary>Any end, success or unexpected error, stops the server instead of restarting it with lost state.</summary>
    private void Stop(object reply)
    {
        _stopped = true;
        _requester.Tell(reply);
        Context.Stop(Self);
    }
}
