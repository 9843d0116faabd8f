namespace ByzantineSim.Simulator.Server;

/// <summary>What became of a participant's reply in a round.</summary>
public enum ReplyOutcome
{
    /// <summary>Aggregated.</summary>
    Accepted,

    /// <summary>Aggregated although it holds NaN/Inf (policy: pass).</summary>
    AcceptedNonFinite,

    /// <summary>Dropped: it holds NaN/Inf (policy: exclude).</summary>
    ExcludedNonFinite,

    /// <summary>Dropped: not d values.</summary>
    WrongLength,

    /// <summary>The client reported that it could not compute.</summary>
    Failed,

    /// <summary>No reply before the round closed.</summary>
    Missing,

    /// <summary>A reply for an earlier round.</summary>
    Late,

    /// <summary>A second reply in the same round.</summary>
    Duplicate,

    /// <summary>A reply from a client that was not asked.</summary>
    UnknownSender,

    /// <summary>The client has crash-stopped (simulated fault): it was not asked and sent nothing.</summary>
    Crashed,

    /// <summary>The update was lost on its way to the server (simulated fault).</summary>
    Lost,

    /// <summary>The update arrived after the round's simulated deadline (a straggler) and was excluded.</summary>
    Straggled,

    /// <summary>A Byzantine identity sent nothing because the attack threw (a bug or a broken attack, not a chosen silence).</summary>
    AttackFailed,
}
