using System.Collections.Concurrent;
using ByzantineSim.Aggregators.CenteredClipping;

namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// The server hands the rule what was measured of its rows before the round closed, so that the
/// rule needs no pass of its own: every input row's norm, measured by the update's producer (the
/// client or trainer for an honest update, the coalition for a forged one: CGE, ARC, clipping),
/// and each row's measure against the rule's state, taken by the server as the update arrived
/// (<see cref="IMeasuresRowsOnArrival"/>: centered clipping's distances to its centre). Each
/// round's values must be those of the rows the rule gets.
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

    /// <summary>Centered clipping that records, per round, how many measures it was given and whether they were its rows' distances to its centre.</summary>
    private sealed class CentreProbe(CenteredClippingAggregator inner)
        : AggregatorDecorator<CenteredClippingAggregator>(inner, inner.Name), IMeasuresRowsOnArrival
    {
        public ConcurrentQueue<(int Rows, int Given, bool Exact)> Calls { get; } = new();

        public RowMeasure? ArrivalMeasure(AggregatorState? state, int dimension) => Inner.ArrivalMeasure(state, dimension);

        public override AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
        {
            var given = context.ArrivalMeasures.Span;
            var centre = (context.State as CenteredClippingState)?.Center;
            bool exact = centre is not null && given.Length == inputs.Rows;
            for (int i = 0; exact && i < inputs.Rows; i++)
            {
                exact = given[i].Equals(CenteredClipping.SquaredDistance(inputs[i], centre!.Span));
            }

            Calls.Enqueue((inputs.Rows, given.Length, exact));
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
        await RunFourRounds("cge", probe, attack);
        Assert.Equal(4, probe.Calls.Count);
        Assert.All(probe.Calls, call =>
        {
            Assert.Equal(9, call.Rows);
            Assert.Equal(call.Rows, call.Given);
            Assert.True(call.Exact);
        });
    }

    [Theory]
    [InlineData("sign-flip")]
    [InlineData("alie")]
    [InlineData("nan")]
    public async Task FromTheSecondRound_TheRuleIsGivenItsRowsDistancesToItsCentre(string attack)
    {
        var probe = new CentreProbe((CenteredClippingAggregator)BuiltInAggregators.Create(CenteredClippingAggregator.RegistryName, 2));
        await RunFourRounds(CenteredClippingAggregator.RegistryName, probe, attack);
        var calls = probe.Calls.ToArray();
        Assert.Equal(4, calls.Length);
        Assert.Equal(0, calls[0].Given); // round 0: no centre yet, the rule measures itself
        Assert.All(calls[1..], call =>
        {
            Assert.Equal(call.Rows, call.Given);
            Assert.True(call.Exact);
        });
    }

    /// <summary>Four rounds of 7 honest and 2 Byzantine clients under <paramref name="attack"/>, the pipeline being <paramref name="probe"/> alone.</summary>
    private async Task RunFourRounds(string rule, IAggregator probe, string attack)
    {
        var setup = TinyRun.Setup(rule, BuiltInAttacks.Create(attack, new AttackPopulation(9, 2, Classes: 4)), rounds: 4) with
        {
            CreatePipeline = () => new AggregationPipeline(probe),
        };

        var result = await Simulator.RunAsync(setup);
        Assert.Equal(4, result.Rounds.Length);
    }
}
