using Akka.Actor;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// The shell shared by the actors that drive a whole run over the trainer pool without a server
/// actor (peer-to-peer, asynchronous): it remembers who sent <see cref="BeginRun"/>, turns any
/// exception of a step into the run's failure, and answers the requester exactly once.
/// </summary>
public abstract class RunDriverActor : ReceiveActor
{
    private IActorRef _requester = ActorRefs.Nobody;
    private bool _stopped;

    /// <summary>Records the sender of <see cref="BeginRun"/>, who gets the run's one reply.</summary>
    protected void Begin(IActorRef requester) => _requester = requester;

    /// <summary>Runs a step unless the run has stopped; an exception stops it as a failure.</summary>
    protected void Guard(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_stopped)
        {
            return;
        }

        try
        {
            action();
        }
#pragma warning disable CA1031 // Reported to the requester as the run's failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Stop(new Status.Failure(ex));
        }
    }

    /// <summary>Sends <paramref name="reply"/> to the requester and stops, once; later calls do nothing.</summary>
    protected void Stop(object reply)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _requester.Tell(reply);
        Context.Stop(Self);
    }
}
