namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// Runs with <see cref="RunSetup.LabelDilution"/>: deterministic whatever the number of
/// trainers, different from the clean run, and the diluted clients recorded as unreliable with
/// their noisy labels in their class histograms.
/// </summary>
public class LabelDilutionRunTests
{
    private const int Honest = 6;

    private static RunSetup Setup(LabelDilution? dilution) =>
        TinyRun.Setup("median", honest: Honest, byzantine: 0, rounds: 6) with { LabelDilution = dilution };

    private static async Task<(string Records, RunResult Result)> Run(RunSetup setup, int trainers)
    {
        await using var simulator = SimulatorSystem.Create(trainers, $"dilution-{trainers}");
        var result = await simulator.RunAsync(setup);
        string records = string.Join(";", result.Rounds.Select(r => $"{r.Round},{r.TrainLoss:R},{r.Aggregated}"))
            + "|" + string.Join(";", result.Evaluations.Select(e => $"{e.Round},{e.TestAccuracy:R},{e.TestLoss:R}"))
            + "|" + string.Join(";", result.Clients.Select(c => $"{c.ClientId},{c.Role},{string.Join(' ', c.ClassHistogram)}"));
        return (records, result);
    }

    [Fact]
    public async Task DilutedRun_OneOrTwoTrainers_IdenticalRecords_AndNotTheCleanRun()
    {
        var setup = Setup(new LabelDilution(5, 2));
        var (one, _) = await Run(setup, 1);
        var (two, _) = await Run(setup, 2);
        Assert.Equal(one, two);
        var (clean, _) = await Run(Setup(null), 2);
        Assert.NotEqual(clean.Split('|')[0], one.Split('|')[0]);
    }

    [Fact]
    public async Task FirstKClients_AreUnreliable_WithSixTimesTheirSamples()
    {
        var (_, clean) = await Run(Setup(null), 2);
        var (_, diluted) = await Run(Setup(new LabelDilution(5, 2)), 2);
        Assert.Equal(
            [ClientRoles.Unreliable, ClientRoles.Unreliable, .. Enumerable.Repeat(ClientRoles.Honest, Honest - 2)],
            diluted.Clients.Select(c => c.Role));
        for (int id = 0; id < Honest; id++)
        {
            int factor = id < 2 ? 6 : 1;
            Assert.Equal(factor * clean.Clients[id].ClassHistogram.Sum(), diluted.Clients[id].ClassHistogram.Sum());
        }

        // The noisy labels are spread over the 4 classes: every class gains on a diluted client.
        Assert.All(diluted.Clients[0].ClassHistogram.Zip(clean.Clients[0].ClassHistogram), pair => Assert.True(pair.First > pair.Second));
    }
}
