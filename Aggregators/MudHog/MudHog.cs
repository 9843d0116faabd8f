namespace ByzantineSim.Aggregators.MudHog;

/// <summary>
/// One round of MUD-HoG's detection (Gupta, Luo, Ngo, Das, arXiv 2208.10273), step by step as in
/// the reference code (github.com/LabSAINT/MUD-HoG_Federated_Learning, server.py mud_hog and
/// add_mal_id), over the clients that sent a finite update this round:
/// 1. sign flipping: short HoG at an obtuse angle (cosine &lt; 0) to the median short HoG of the
///    clients not yet confirmed malicious;
/// 2. additive noise: DBSCAN on the remaining short HoGs; the largest cluster is normal; of the
///    others, the DBSCAN noise points farther from the normal median than the largest-gap split
///    of those distances;
/// 3. targeted (label flipping): the minority of a 2-means on the remaining long HoGs;
/// 4. suspicions become confirmations after <c>delay</c> consecutive rounds (2 delay for
///    targeted), and an additive-noise suspect that recovers turns unreliable;
/// 5. unreliable: among the short HoGs left, those whose cosine to their median falls below the
///    largest-gap split, counted over rounds.
/// The aggregate is the mean of the clients neither confirmed malicious nor suspected this round
/// of additive noise or targeting.
/// </summary>
public static class MudHog
{
    /// <summary>What one round decided.</summary>
    /// <param name="State">The state for the next round (histories are the caller's).</param>
    /// <param name="Normal">Clients whose updates are averaged.</param>
    public sealed record Decision(MudHogState State, ImmutableHashSet<int> Normal);

    /// <summary>
    /// Runs steps 1-5 for <paramref name="ids"/> (at least one client with a finite update,
    /// histories already updated in <paramref name="state"/>). Its model-sized work arrays (two
    /// HoGs per client, medians, centres) come from <paramref name="rent"/>, which gives an array
    /// of the requested length with any contents (a fresh one when null).
    /// </summary>
    public static Decision Detect(MudHogState state, IReadOnlyList<int> ids, MudHogOptions options, Func<int, double[]>? rent = null)
    {
        rent ??= length => new double[length];
        int d = state.Clients[ids[0]].Sum.Length;
        var shortHogs = ids.ToDictionary(id => id, id => state.Clients[id].ShortHog(rent(d)));
        var longHogs = ids.ToDictionary(id => id, id => state.Clients[id].LongHog(rent(d)));

        // Step 1: sign flipping, against the median of the clients not confirmed malicious.
        var candidates = ids.Where(id => !state.Malicious.Contains(id)).ToList();
        var median = Clustering.Median([.. (candidates.Count > 0 ? candidates : ids).Select(id => shortHogs[id])], rent(d));
        var flip = ids.Where(id => Clustering.Cosine(median, shortHogs[id]) < 0).ToHashSet();

        // Step 2: additive noise among the rest.
        var rest = ids.Where(id => !flip.Contains(id) && !state.FlipSign.Contains(id)).ToList();
        var untargeted = new HashSet<int>();
        if (rest.Count > 0)
        {
            var labels = Clustering.Dbscan([.. rest.Select(id => shortHogs[id])], options.Eps, options.MinSamples);
            var normal = Clustering.Majority(labels).Select(i => rest[i]).ToHashSet();
            var centre = Clustering.Median([.. normal.Select(id => shortHogs[id])], rent(d));
            var distances = rest.Where(id => !normal.Contains(id)).ToDictionary(id => id, id => Clustering.Distance(shortHogs[id], centre));
            double split = Clustering.SeparatePoint(distances.Values);
            untargeted.UnionWith(distances.Where(p => p.Value > split && labels[rest.IndexOf(p.Key)] == -1).Select(p => p.Key));
        }

        // Step 3: targeted attacks on the long HoGs of what is left.
        var remaining = ids.Where(id => !flip.Contains(id) && !state.FlipSign.Contains(id) && !untargeted.Contains(id) && !state.Untargeted.Contains(id)).ToList();
        var targeted = Clustering.TwoMeansMinority([.. remaining.Select(id => longHogs[id])], rent(d), rent(d)).Select(i => remaining[i]).ToHashSet();

        // Step 4: suspicions over rounds.
        var next = Confirm(state, ids, flip, untargeted, targeted, options.Delay);

        // Step 5: unreliable clients among the short HoGs left after removing the malicious.
        var benign = rest.Where(id => !next.Malicious.Contains(id)).ToList();
        var unreliableNow = new HashSet<int>();
        if (benign.Count > 0)
        {
            var centre = Clustering.Median([.. benign.Select(id => shortHogs[id])], rent(d));
            var angles = benign.ToDictionary(id => id, id => Clustering.Cosine(centre, shortHogs[id]));
            double split = Clustering.SeparatePoint(angles.Values.Where(double.IsFinite));
            unreliableNow.UnionWith(angles.Where(p => p.Value < split).Select(p => p.Key));
        }

        next = CountUnreliable(next, ids, unreliableNow, options.Delay);
        var averaged = ids.Where(id => !next.Malicious.Contains(id) && !targeted.Contains(id) && !untargeted.Contains(id)).ToImmutableHashSet();
        return new Decision(next, averaged);
    }

    /// <summary>The reference's add_mal_id: suspicions confirmed after delay rounds, cleared after a clean round.</summary>
    private static MudHogState Confirm(MudHogState state, IReadOnlyList<int> ids, HashSet<int> flip, HashSet<int> untargeted, HashSet<int> targeted, int delay)
    {
        var clients = state.Clients.ToBuilder();
        var malicious = state.Malicious.ToBuilder();
        var flipSign = state.FlipSign.ToBuilder();
        var noisy = state.Untargeted.ToBuilder();
        var aimed = state.Targeted.ToBuilder();
        var unreliable = state.Unreliable.ToBuilder();
        foreach (int id in ids)
        {
            var client = clients[id];
            if (!flip.Contains(id) && !untargeted.Contains(id) && !targeted.Contains(id))
            {
                if (client.Suspicion == 0)
                {
                    malicious.Remove(id);
                    flipSign.Remove(id);
                    noisy.Remove(id);
                    aimed.Remove(id);
                }
                else
                {
                    client = client with { Suspicion = 0 };
                    if (noisy.Contains(id))
                    {
                        client = client with { UnreliableCount = client.UnreliableCount + 1 };
                        if (client.UnreliableCount >= delay)
                        {
                            noisy.Remove(id);
                            malicious.Remove(id);
                            unreliable.Add(id);
                        }
                    }
                }
            }
            else
            {
                client = client with { Suspicion = client.Suspicion + 1 };
                if (client.Suspicion >= delay)
                {
                    if (flip.Contains(id))
                    {
                        flipSign.Add(id);
                        malicious.Add(id);
                    }

                    if (untargeted.Contains(id))
                    {
                        noisy.Add(id);
                        malicious.Add(id);
                    }
                }

                if (client.Suspicion >= 2 * delay && targeted.Contains(id))
                {
                    aimed.Add(id);
                    malicious.Add(id);
                }
            }

            clients[id] = client;
        }

        return state with
        {
            Clients = clients.ToImmutable(),
            Malicious = malicious.ToImmutable(),
            FlipSign = flipSign.ToImmutable(),
            Untargeted = noisy.ToImmutable(),
            Targeted = aimed.ToImmutable(),
            Unreliable = unreliable.ToImmutable(),
        };
    }

    /// <summary>The reference's unreliable count: confirmed after more than delay flagged rounds, decays by one per clean round.</summary>
    private static MudHogState CountUnreliable(MudHogState state, IReadOnlyList<int> ids, HashSet<int> flagged, int delay)
    {
        var clients = state.Clients.ToBuilder();
        var unreliable = state.Unreliable.ToBuilder();
        foreach (int id in ids)
        {
            var client = clients[id];
            if (flagged.Contains(id))
            {
                client = client with { UnreliableCount = client.UnreliableCount + 1 };
                if (client.UnreliableCount > delay)
                {
                    unreliable.Add(id);
                }
            }

            if (client.UnreliableCount == 0)
            {
                unreliable.Remove(id);
            }

            if (!flagged.Contains(id) && client.UnreliableCount > 0)
            {
                client = client with { UnreliableCount = client.UnreliableCount - 1 };
            }

            clients[id] = client;
        }

        return state with { Clients = clients.ToImmutable(), Unreliable = unreliable.ToImmutable() };
    }
}
