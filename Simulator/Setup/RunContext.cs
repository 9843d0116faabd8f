using System.Collections.Immutable;
using Akka.Actor;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Partitioning;
using ByzantineSim.Core.Numerics;
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

    /// <summary>The model dimension d.</summary>
    public int Dimension => InitialParameters.Length;

    /// <summary>Ids of the honest clients.</summary>
    public IEnumerable<int> HonestIds => Enumerable.Range(0, Setup.HonestClients);

    /// <summary>Ids of the Byzantine identities.</summary>
    public IEnumerable<int> ByzantineIds => Enumerable.Range(Setup.HonestClients, Setup.ByzantineClients);

    /// <summary>Per-client class histograms of the partition.</summary>
    public ImmutableArray<ImmutableArray<int>> ClassHistograms { get; } =
        Partition.ClassHistograms(Data.Train.Labels, Data.Train.Classes);

    /// <summary>The run's faults, resolved for its honest clients.</summary>
    public Faults.FaultPlan Faults { get; } = new(Setup.Faults, Setup.Seed, Setup.HonestClients);

    /// <summary>The state client <paramref name="id"/> starts with: its samples and its own seed.</summary>
    public ClientState InitialClientState(int id) =>
        new(id, Partition.Clients[id], Seed.Derive(Setup.Seed, "client", id), null)
        {
            Relabel = Partition.NoisyLabelsOf(id) is { IsEmpty: false } noisy ? noisy : null,
        };

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

    /// <summary>The clients sampled in round <paramref name="round"/>, in id order (all of them at full participation).</summary>
    public ImmutableArray<int> Participants(int round) => ParticipantsOf(Setup, round);

    /// <summary>The clients a run of <paramref name="setup"/> samples in round <paramref name="round"/>: a pure function of its seed.</summary>
    public static ImmutableArray<int> ParticipantsOf(RunSetup setup, int round)
    {
        int n = setup.TotalClients;
        int m = setup.Training.ParticipantsPerRound(n);
        if (m == n)
        {
            return [.. Enumerable.Range(0, n)];
        }

        var ids = Enumerable.Range(0, n).ToArray();
        new DeterministicRandom(Seed.Derive(setup.Seed, "participation", round)).FisherYates(ids.AsSpan());
        return [.. ids[..m].Order()];
    }
}
