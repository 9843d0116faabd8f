using Akka.Actor;
using ByzantineSim.Aggregators.Numerics;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Protocol;
using ByzantineSim.Simulator.Trainers;

namespace ByzantineSim.Simulator.Tests;

/// <summary>The work-pulling trainer pool: every request answered once, failures contained, results independent of the trainer.</summary>
public class TrainerPoolTests
{
    [Fact]
    public async Task ManyRequests_EachAnsweredOnce_AFailureDoesNotStopThePool()
    {
        await using var simulator = SimulatorSystem.Create(2, "trainer-pool");
        var data = SyntheticClassification.Generate(new SyntheticOptions(Classes: 3, Features: 5, TrainSize: 200, TestSize: 100, Seed: 1));
        var model = ModelKey.For(new LogisticRegression(), "logistic", data.Train.SampleShape, 3);
        using var runner = new ModelRunner(model.Definition, data.Train.SampleShape, 3);
        var parameters = VectorPayload.TakeOwnership(runner.InitialParameters(2));
        var inbox = Inbox.Create(simulator.System);
        for (int tag = 0; tag < 12; tag++)
        {
            // Tag 5 carries parameters of the wrong length: its trainer reports the failure and lives on.
            var payload = tag == 5 ? VectorPayload.Zeros(3) : parameters;
            inbox.Send(simulator.Trainers, new EvaluateModel(model, payload, data.Test, 10 * (tag % 4), 10, tag));
        }

        var replies = new List<object>();
        for (int k = 0; k < 12; k++)
        {
            replies.Add(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(t => (long)t), replies.Select(Tag).Order());
        var failed = Assert.Single(replies.OfType<ComputationFailed>());
        Assert.Equal(5, failed.Tag);

        // The same part of the test set gives the same sums whichever trainer computed it.
        foreach (var group in replies.OfType<ModelEvaluated>().GroupBy(r => r.Tag % 4))
        {
            Assert.Single(group.Select(r => r.Sums).Distinct());
        }

        inbox.Send(simulator.Trainers, new EvaluateModel(model, parameters, data.Test, 0, 100, 99));
        Assert.Equal(99, Tag(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30))));
    }

    private static long Tag(object reply) => reply switch
    {
        ModelEvaluated evaluated => evaluated.Tag,
        ComputationFailed failed => failed.Tag,
        _ => throw new InvalidOperationException(reply.GetType().Name),
    };
}
