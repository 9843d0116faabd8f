namespace ByzantineSim.Clients.Tests;

/// <summary>
/// Gradients are a pure function of (parameters, batch), whatever the same thread computed
/// before. Written for libtorch 2.10's oneDNN convolutions: with oneDNN on, a sequence of CNN
/// gradients with varying batch sizes, or interleaved evaluations, on one thread produced NaN or
/// different gradients (TorchRuntime turns oneDNN off). The failure is intermittent: with oneDNN
/// switched back on this test failed in 1 of 2 runs; the stand-alone check
/// `dotnet run -c Release --project benchmarks/ByzantineSim.Benchmarks -- onednn-check --enable-onednn --seed N`
/// found differing gradients for 3 of 6 seeds (51 of 900 steps), and none with oneDNN off.
/// </summary>
public class ReproducibilityTests
{
    [Fact]
    public void CnnGradients_VaryingBatchesAndEvaluations_MatchFreshRunners()
    {
        Assert.True(TestKitInfo.HasFashionMnist, "Fashion-MNIST is not installed: run scripts/setup.sh");
        var data = IdxImageDataset.Load(TestKitInfo.FashionMnistFolder, "fashion-mnist");
        var (differing, _, steps) = GradientReplay.Run(data, seed: 3); // seed 3 diverged in 48 of 150 steps with oneDNN on
        Assert.True(differing == 0, $"{differing} of {steps} gradients differ from a fresh runner's");
    }
}
