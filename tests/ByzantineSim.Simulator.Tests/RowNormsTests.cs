using System.Collections.Concurrent;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// The server hands the rule every input row's norm, measured by the update's producer (the
/// client or trainer for an honest update, the coalition for a forged one), so that CGE, ARC and
/// clipping need no pass of their own: each round's norms must be those of the rows the rule gets.
/// </summary>
public sealed class RowNormsTests() : SimulatorFixture("row-norms-tests")
{
    /// <summary>CGE that records, per round, whether it was given norms and whether they were the rows' own.</summary>
    private sealed class NormProbe(IAggregator inner) : AggregatorDecorator<IAggregator>(inner, inner.Name)
    {
        public ConcurrentQueue<(int Rows, int Given, bool Exact)> Calls { get; } = new();

        public override AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
        {
            var given = context.RowNorms.Span;
            var measured = new double[inputs.Rows];
            Rows.Norms(inputs, measured);
            Calls.Enqueue((inputs.Rows, given.Length, given.SequenceEqual(measured)));
            return Inner.Aggregate(inputs, destination, context);
        }
    }

    [Theory]
    [InlineData("sign-flip")]
    [InlineData("alie")]
    [InlineData("gaussian")]
    public async Task EveryRound_TheRuleIsGivenItsRowsNorms(string attack)
    {
        var probe = new NormProbe(BuiltInAggregators.Create("cge", 2));
        var setup = TinyRun.Setup("cge", BuiltInAttacks.Create(attack, new AttackPopulation(9, 2, Classes: 4)), rounds: 4) with
        {
            CreatePipeline = () => new AggregationPipeline(probe),
        };

        var result = await Simulator.RunAsync(setup);
        Assert.Equal(4, result.Rounds.Length);
        Assert.Equal(4, probe.Calls.Count);
        Assert.All(probe.Calls, call =>
        {
            Assert.Equal(9, call.Rows);
            Assert.Equal(call.Rows, call.Given);
            Assert.True(call.Exact);
        });
    }
}
