namespace ByzantineSim.Simulator.Setup;

/// <summary>
/// Which local steps an unreliable client takes and which of their batches it degrades, as
/// MUD-HoG's reference client does (<c>clients_attackers.py</c>, <c>Unreliable_client.train</c>
/// and <c>data_transform</c>): for every batch of the round, a draw below
/// <see cref="TrainFraction"/> trains on it (otherwise it is skipped), and for a trained batch a
/// second draw below <see cref="DegradedFraction"/> degrades it. Skipped steps still consume their
/// batch, as the reference's data loader does, so the kept batches are a subsequence of the
/// client's usual ones. A pure function of (seed, round).
/// </summary>
/// <param name="TrainFraction">Probability that a step is taken, in (0, 1].</param>
/// <param name="DegradedFraction">Probability that a taken step's batch is degraded, in (0, 1].</param>
/// <param name="Seed">The client's stream for these draws.</param>
public sealed record UnreliableSteps(double TrainFraction, double DegradedFraction, ulong Seed)
{
    /// <summary>For each of round <paramref name="round"/>'s <paramref name="steps"/> local steps: whether it is taken, and whether its batch is degraded.</summary>
    public (bool Taken, bool Degraded)[] Draw(int round, int steps)
    {
        var random = new DeterministicRandom(Core.Numerics.Seed.Derive(Seed, "round", round));
        var draws = new (bool, bool)[steps];
        for (int k = 0; k < steps; k++)
        {
            // The reference draws torch.rand(1) for the skip first, then for the smoothing of a kept batch only.
            bool taken = TrainFraction >= 1 || random.NextDouble() < TrainFraction;
            bool degraded = taken && (DegradedFraction >= 1 || random.NextDouble() < DegradedFraction);
            draws[k] = (taken, degraded);
        }

        return draws;
    }
}
