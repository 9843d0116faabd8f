using ByzantineSim.Simulator.Asynchrony;

namespace ByzantineSim.Simulator.Tests.Asynchrony;

public class StalenessFunctionTests
{
    // Hand-derived from Xie, Koyejo, Gupta 2019 (arXiv 1903.03934), Sec. 5.2, with staleness u = t - tau.
    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(3, 0.5)] // (3 + 1)^-0.5: FedBuff's 1/sqrt(1 + u)
    [InlineData(8, 1.0 / 3)]
    public void Polynomial_HalfPower_IsOneOverSquareRootOfOnePlusStaleness(int staleness, double expected) =>
        Assert.Equal(expected, new StalenessFunction(StalenessKind.Polynomial, 0.5, 0).Weight(staleness), 12);

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(4, 1.0)]
    [InlineData(5, 1.0 / 11)] // 1 / (10 (5 - 4) + 1)
    [InlineData(6, 1.0 / 21)]
    public void Hinge_OneUpToB_ThenHyperbolic(int staleness, double expected) =>
        Assert.Equal(expected, new StalenessFunction(StalenessKind.Hinge, 10, 4).Weight(staleness), 12);

    [Fact]
    public void Constant_IsOneAtAnyStaleness() =>
        Assert.All([0, 1, 100], u => Assert.Equal(1.0, StalenessFunction.Constant.Weight(u)));
}
