namespace ByzantineSim.Simulator.Setup;

/// <summary>
/// The rounds' participant draws of one run, each made one round ahead on a background thread
/// when the run has many clients. The draw shuffles all n ids (a seeded Fisher-Yates, kept so that
/// no partial-participation run changes): made when the round opens, it would hold up every round
/// while the trainers wait (its cost at a million clients is in docs/PERFORMANCE.md). The result
/// of a draw does not depend on when or where it was made. Not thread-safe: one caller, the
/// server, asks for the rounds one after another.
/// </summary>
internal sealed class ParticipantDraws(RunSetup setup, Func<RunSetup, int, int[], ImmutableArray<int>> draw)
{
    /// <summary>From this many clients on, the next round's draw is made ahead (below it, a draw takes under a millisecond).</summary>
    public const int AheadFrom = 1 << 16;

    /// <summary>True when each round's draw is made ahead: many clients, not all of them sampled.</summary>
    public bool DrawsAhead { get; } = setup.TotalClients >= AheadFrom
        && setup.Training.ParticipantsPerRound(setup.TotalClients) < setup.TotalClients;

    // Two arrays of n ids: one for the draw made ahead, one for a draw made on the caller's thread.
    private int[]? _aheadIds;
    private int[]? _ownIds;
    private Task<ImmutableArray<int>>? _pending;
    private int _pendingRound = -1;

    /// <summary>The participants of <paramref name="round"/>; starts the next round's draw when it is made ahead.</summary>
    public ImmutableArray<int> Take(int round)
    {
        ImmutableArray<int> participants;
        if (_pending is { } pending && _pendingRound == round)
        {
            participants = pending.GetAwaiter().GetResult();
        }
        else
        {
            // A round asked out of turn (none so far): the draw ahead, if any, must release its array first.
            _pending?.Wait();
            participants = draw(setup, round, _ownIds ??= new int[setup.TotalClients]);
        }

        _pending = null;
        if (DrawsAhead && round + 1 < setup.Training.Rounds)
        {
            int next = round + 1;
            var ids = _aheadIds ??= new int[setup.TotalClients];
            _pendingRound = next;
            _pending = Task.Run(() => draw(setup, next, ids));
        }

        return participants;
    }
}
