using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Tests;

/// <summary>The word tables of enum-valued settings: each value reads back from its word, and the words are the ones spec files use.</summary>
public sealed class SpecWordsTests
{
    [Fact]
    public void Words_AreTheSpecFileWords_InTheOrderErrorsListThem()
    {
        Assert.Equal(["average", "sum"], SpecWords.MomentumForm.Words);
        Assert.Equal(["dsgd", "fedavg"], SpecWords.Algorithm.Words);
        Assert.Equal(["delta", "model"], SpecWords.Send.Words);
        Assert.Equal(["pass", "exclude"], SpecWords.NonFinite.Words);
        Assert.Equal(["cpu", "cuda"], SpecWords.Device.Words);
        Assert.Equal("must be average or sum", SpecWords.MomentumForm.Rule);
    }

    [Fact]
    public void Parse_WordOfEveryValue_ReturnsTheValue()
    {
        Assert.All(Enum.GetValues<MomentumForm>(), v => Assert.Equal(v, SpecWords.MomentumForm.Parse(SpecWords.MomentumForm.Word(v))));
        Assert.All(Enum.GetValues<LocalMode>(), v => Assert.Equal(v, SpecWords.Algorithm.Parse(SpecWords.Algorithm.Word(v))));
        Assert.All(Enum.GetValues<ClientSends>(), v => Assert.Equal(v, SpecWords.Send.Parse(SpecWords.Send.Word(v))));
        Assert.All(Enum.GetValues<NonFinitePolicy>(), v => Assert.Equal(v, SpecWords.NonFinite.Parse(SpecWords.NonFinite.Word(v))));
        Assert.All(Enum.GetValues<ComputeDevice>(), v => Assert.Equal(v, SpecWords.Device.Parse(SpecWords.Device.Word(v))));
    }

    [Fact]
    public void Parse_OtherWordOrCase_ReturnsNull()
    {
        Assert.Null(SpecWords.Algorithm.Parse("FedAvg"));
        Assert.Null(SpecWords.NonFinite.Parse("drop"));
    }

    [Fact]
    public void Constructor_ValueWithoutAWord_Throws() =>
        Assert.Throws<ArgumentException>(() => new SpecWords<NonFinitePolicy>(("pass", NonFinitePolicy.Pass)));
}
