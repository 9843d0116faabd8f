using System.Runtime.InteropServices;
using Akka.Actor;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Partitioning;
using ByzantineSim.Simulator.Participants;
using ByzantineSim.Simulator.Server;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Setup;

/// <summary>A run's setup with its data loaded, partitioned and its model initialised.</summary>
/// <param name="Setup">The run's settings.</param>
/// <param name="Data">Train and test sets (shared, read-only).</param>
/// <param name="Partition">Sample indices of every client, honest and Byzantine.</param>
/// <param name="Model">The model the trainers run.</param>
/// <param name="InitialParameters">theta_0.</param>
/// <param name="Trainers">The trainer pool.</param>
/// <param name="Progress">Called after every round (on the server's thread), or null.</param>
public sealed record RunContext(
    RunSetup Setup,
    DataSplit Data,
    Partition Partition,
    ModelKey Model,
    VectorPayload InitialParameters,
    IActorRef Trainers,
    Action<RunProgress>? Progress)
{
    /// <summary>The server's root data set (see <see cref="RunSetup.ServerData"/>), or null.</summary>
    public Dataset? ServerData { get; init; }

    /// <summary>
    /// The test samples a targeted or backdoor attack's success is measured on (see
    /// <c>PoisonedTestSet</c>), or null when the attack has no target. <value>null</value>
    /// </summary>
    public Dataset? AttackSuccessData { get; init; }

    /// <summary>
    /// The batch-norm running statistics a fresh model starts with (mean 0, variance 1; see
    /// <c>ModelRunner.InitialStatistics</c>): the server's under aggregated batch norm, every
    /// client's under local; empty for models without running statistics. <value>empty</value>
    /// </summary>
    public ImmutableArray<float> InitialStatistics { get; init; } = [];

    /// <summary>A peer-to-peer run's pretrained, frozen model (see <see cref="Peers.TransferSettings"/>), or null. <value>null</value></summary>
    public Peers.TransferredModel? Transfer { get; init; }

    /// <summary>The model dimension d.</summary>
    public int Dimension => InitialParameters.Length;

    /// <summary>Ids of the honest clients.</summary>
    public IEnumerable<int> HonestIds => Enumerable.Range(0, Setup.HonestClients);

    /// <summary>Ids of the Byzantine identities of the fixed mode (none when identities change: see <see cref="ByzantineAt"/>).</summary>
    public IEnumerable<int> ByzantineIds => Setup.Identities.Changes ? [] : Enumerable.Range(Setup.HonestClients, Setup.ByzantineClients);

    /// <summary>The Byzantine clients of round <paramref name="round"/>, in id order.</summary>
    public ImmutableArray<int> ByzantineAt(int round) =>
        Setup.Identities.At(round, Setup.TotalClients, Setup.ByzantineClients, Setup.Seed);

    /// <summary>The honest clients with degraded data (see <see cref="RunSetup.Unreliable"/>), in id order.</summary>
    public ImmutableArray<int> UnreliableIds { get; } =
        Setup.Unreliable?.Clients(Setup.Identities.Changes ? Setup.TotalClients : Setup.HonestClients, Setup.Seed) ?? [];

    /// <summary>
    /// Each client's role in the records: <c>byzantine:group</c> for a Byzantine client of the
    /// fixed mode (the group is the attack's name, or its group's in a mixed population);
    /// otherwise <c>unreliable</c> (degraded data, noisy labels from the partitioner, or diluted labels) or
    /// <c>honest</c>. When identities change, a client's role is what it is when honest.
    /// </summary>
    public string RoleOf(int id)
    {
        if (!Setup.Identities.Changes && id >= Setup.HonestClients)
        {
            int rank = id - Setup.HonestClients;
            return ClientRoles.Byzantine(Setup.Attack is Attacks.Groups.AttackGroups groups ? groups.GroupOf(rank) : Setup.Attack.Name);
        }

        return UnreliableIds.Contains(id) || !Partition.NoisyLabelsOf(id).IsEmpty || Partition.IsDiluted(id) ? ClientRoles.Unreliable : ClientRoles.Honest;
    }

    /// <summary>Client <paramref name="id"/>'s class histogram in the partition (computed when asked: a million clients keep none).</summary>
    public ImmutableArray<int> ClassHistogramOf(int id) => Partition.ClassHistogram(id, Data.Train.Labels, Data.Train.Classes);

    /// <summary>The run's faults, resolved for its honest clients.</summary>
    public Faults.FaultPlan Faults { get; } = new(Setup.Faults, Setup.Seed, Setup.HonestClients);

    /// <summary>
    /// The state client <paramref name="id"/> starts with: its samples and its own seed, and
    /// for an unreliable client its degradation (random labels join any noisy ones, and win).
    /// </summary>
    public ClientState InitialClientState(int id)
    {
        var degradation = Setup.Unreliable is { } unreliable && UnreliableIds.Contains(id) ? unreliable.For(id, Setup.Seed) : null;
        var relabel = Partition.NoisyLabelsOf(id);
        if (degradation is { ChangesPixels: false })
        {
            relabel = relabel.SetItems(degradation.RandomLabels(Partition.Clients[id], Data.Train.Classes));
        }

        return new(id, Partition.Clients[id], Seed.Derive(Setup.Seed, "client", id), null)
        {
            Relabel = relabel.IsEmpty ? null : relabel,
            Degradation = degradation is { ChangesPixels: true } ? degradation : null,
            UnreliableSteps = degradation is null ? null : Setup.Unreliable!.StepsFor(id, Setup.Seed),
            Dilution = Partition.IsDiluted(id) ? Partition.Dilution : null,
            Statistics = Model.Definition.BatchNorm == Clients.Models.BatchNormMode.Local ? InitialStatistics : default,
        };
    }

    /// <summary>
    /// The weight of each client's update, by id, under <see cref="UpdateWeighting.Samples"/>: its
    /// number of training samples. A Byzantine identity without a share of the data (byzantine_data:
    /// false) claims the honest clients' mean, so that the weighting alone does not silence the attack.
    /// </summary>
    public double[] SampleWeights()
    {
        var weights = Partition.Clients.Select(samples => (double)samples.Length).ToArray();
        double honestMean = weights.AsSpan(0, Setup.HonestClients).ToArray().Average();
        foreach (int id in ByzantineIds)
        {
            if (weights[id] == 0)
            {
                weights[id] = honestMean;
            }
        }

        return weights;
    }

    /// <summary>
    /// The clients sampled in round <paramref name="round"/>, in id order (all of them at full
    /// participation). Not thread-safe: the server alone asks, round after round. With many
    /// clients the next round's draw is made in the background while this round trains
    /// (<see cref="ParticipantDraws"/>); the draw is a pure function of the seed and the round, so
    /// when it is made does not change it.
    /// </summary>
    public ImmutableArray<int> Participants(int round) => (_draws ??= new ParticipantDraws(Setup, ParticipantsOf)).Take(round);

    private ParticipantDraws? _draws;

    /// <summary>The clients a run of <paramref name="setup"/> samples in round <paramref name="round"/>: a pure function of its seed.</summary>
    public static ImmutableArray<int> ParticipantsOf(RunSetup setup, int round) => ParticipantsOf(setup, round, new int[setup.TotalClients]);

    /// <summary>The draw of <paramref name="round"/>, shuffling the n ids in <paramref name="ids"/> (n long, overwritten).</summary>
    internal static ImmutableArray<int> ParticipantsOf(RunSetup setup, int round, int[] ids)
    {
        int n = setup.TotalClients;
        int m = setup.Training.ParticipantsPerRound(n);
        if (m == n)
        {
            return [.. Enumerable.Range(0, n)];
        }

        for (int i = 0; i < n; i++)
        {
            ids[i] = i;
        }

        new DeterministicRandom(Seed.Derive(setup.Seed, "participation", round)).FisherYates(ids.AsSpan(0, n));
        var chosen = ids[..m];
        Array.Sort(chosen);
        return ImmutableCollectionsMarshal.AsImmutableArray(chosen);
    }
}
