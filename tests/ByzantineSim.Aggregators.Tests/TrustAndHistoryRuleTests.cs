using ByzantineSim.Aggregators.FoolsGold;
using ByzantineSim.Testing;

namespace ByzantineSim.Aggregators.Tests;

/// <summary>FLTrust and FoolsGold against values derived by hand from their papers' definitions.</summary>
public class TrustAndHistoryRuleTests
{
    private static (float[] Output, RowVerdicts Verdicts, AggregatorState? State) Run(
        string name, float[][] rows, float[]? server = null, int[]? clients = null, AggregatorState? state = null)
    {
        int d = rows[0].Length;
        var output = new float[d];
        var verdicts = new RowVerdicts();
        var context = new AggregationContext(0, 0, state) { Verdicts = verdicts, ServerUpdate = server ?? [], Clients = clients ?? [] };
        var next = BuiltInAggregators.Create(name, 0).Aggregate(new RowMatrix([.. rows.SelectMany(r => r)], rows.Length, d), output, context);
        return (output, verdicts, next);
    }

    private static int[] Flagged(RowVerdicts verdicts) => [.. verdicts.Flags.Where(f => f.Verdict == Verdict.Malicious).Select(f => f.Row)];

    [Fact]
    public void FlTrust_FourRows_TrustWeightedMeanOfRescaledRows()
    {
        // g0 = (1, 0). Trust: (2, 0) -> 1, rescaled (1, 0); (0, 3) -> ReLU(0) = 0; (1, 1) -> 1/sqrt 2,
        // rescaled (1, 1)/sqrt 2; (-1, 0) -> ReLU(-1) = 0. Sum of TS * rescaled = (1.5, 0.5), over 1 + 1/sqrt 2.
        var (output, verdicts, _) = Run("fltrust", [[2, 0], [0, 3], [1, 1], [-1, 0]], server: [1, 0]);
        double total = 1 + (1 / Math.Sqrt(2));
        Assert.Equal(1.5 / total, output[0], 1e-6);
        Assert.Equal(0.5 / total, output[1], 1e-6);
        Assert.Equal([1, 3], Flagged(verdicts));
    }

    [Fact]
    public void FlTrust_AllocatesNothingModelSizedPerCall()
    {
        // The old code summed the rescaled rows in a fresh d-double array (800 KB here) per call.
        const int n = 7, d = 100_000;
        var server = Matrices.Gaussian(1, d, 5);
        var (allocated, _) = PooledRounds.Run(BuiltInAggregators.Create("fltrust", 2), new RowMatrix(Matrices.Gaussian(n, d, 11), n, d), new float[d], rounds: 4, unmeasured: 2, server);
        Assert.InRange(allocated, 0, d); // under a quarter of one d-float array per call
    }

    [Fact]
    public void FlTrust_RowsOfAnyNorm_OutputHasTheServerUpdatesNorm()
    {
        // Every trusted row is rescaled to ||g0|| = 5, and rows along g0 average to g0 itself.
        var (output, _, _) = Run("fltrust", [[1e30f, 0], [1e-30f, 0], [0.3f, 0]], server: [5, 0]);
        Assert.Equal(5, output[0], 1e-5);
        Assert.Equal(0, output[1]);
    }

    [Fact]
    public void FlTrust_NonFiniteAndHugeRows_OutputFiniteAndTheyAreFlaggedOrRescaled()
    {
        var (output, verdicts, _) = Run("fltrust", [[1, 1], [float.NaN, 1], [float.PositiveInfinity, 0], [3e38f, 3e38f]], server: [2, 2]);
        Assert.True(VectorMath.IsFinite(output));
        Assert.Equal(2, output[0], 1e-5); // (1, 1) and (3e38, 3e38) both rescaled to (2, 2)
        Assert.Equal([1, 2], Flagged(verdicts));
    }

    [Fact]
    public void FlTrust_EveryRowAgainstTheServer_ZeroUpdate()
    {
        var (output, verdicts, _) = Run("fltrust", [[-1, 0], [0, -2]], server: [1, 0]);
        Assert.Equal([0f, 0f], output);
        Assert.Equal([0, 1], Flagged(verdicts));
    }

    [Fact]
    public void FlTrust_WithoutTheServersUpdate_RefusesNamingServerData()
    {
        var error = Assert.Throws<AggregationException>(() => Run("fltrust", [[1, 0]]));
        Assert.Contains("server_data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FoolsGold_ThreeClients_LogitWeightsAsDerivedByHand()
    {
        // a = (1,0,0), b = (0,1,0), c = (0.6,0,0.8): cs(a,c) = 0.6, others 0, so v = (0.6, 0, 0.6);
        // no pardoning applies (b's similarities are 0). w = 1 - max cs = (0.4, 1, 0.4); over the
        // largest: (0.4, 1 -> 0.99, 0.4); logit + 0.5: (ln(2/3) + 0.5, 1 (clipped), ln(2/3) + 0.5).
        var (output, verdicts, _) = Run("foolsgold", [[1, 0, 0], [0, 1, 0], [0.6f, 0, 0.8f]]);
        double w = Math.Log(2.0 / 3.0) + 0.5;
        Assert.Equal(w * 1.6 / 3, output[0], 1e-6);
        Assert.Equal(1.0 / 3, output[1], 1e-6);
        Assert.Equal(w * 0.8 / 3, output[2], 1e-6);
        Assert.Empty(verdicts.Flags);
    }

    [Fact]
    public void FoolsGold_TwoSybilsAndOneHonest_SybilsGetWeightZeroAndAreFlagged()
    {
        // cs(sybil, sybil) = 1 -> w = 0 for both; the honest row has w = 1 -> 0.99 -> logit clipped to 1.
        var (output, verdicts, _) = Run("foolsgold", [[1, 0], [1, 0], [0, 1]]);
        Assert.Equal(0, output[0], 1e-7);
        Assert.Equal(1.0 / 3, output[1], 1e-6);
        Assert.Equal([0, 1], Flagged(verdicts));
    }

    [Fact]
    public void FoolsGold_History_SumsEachClientsUpdatesAcrossRounds()
    {
        // Round 1: client 4 sends (1, 0), client 9 sends (0, 1). Round 2 both send (0, 1): alone
        // they are identical (weight 0 each, zero output), but their histories (1, 1) and (0, 2)
        // have cosine 1/sqrt 2 < 1: w = 1 - 1/sqrt 2 for both, rescaled to 1 -> 0.99 -> weight 1.
        var (_, _, state) = Run("foolsgold", [[1, 0], [0, 1]], clients: [4, 9]);
        var (withHistory, flagged, next) = Run("foolsgold", [[0, 1], [0, 1]], clients: [4, 9], state: state);
        Assert.Equal([0f, 1f], withHistory);
        Assert.Empty(flagged.Flags);
        var histories = Assert.IsType<FoolsGoldState>(next).Histories;
        Assert.Equal([1f, 1f], histories[4].Span.ToArray());
        Assert.Equal([0f, 2f], histories[9].Span.ToArray());

        var (without, _, _) = Run("foolsgold", [[0, 1], [0, 1]], clients: [4, 9]);
        Assert.Equal([0f, 0f], without);
    }

    [Fact]
    public void FoolsGold_RowsInAnotherOrder_HistoriesFollowTheClientIdsNotThePositions()
    {
        var (_, _, state) = Run("foolsgold", [[1, 0], [0, 1], [1, 1]], clients: [1, 2, 3]);
        var (inOrder, _, _) = Run("foolsgold", [[2, 0], [0, 3], [1, 2]], clients: [1, 2, 3], state: state);
        var (reordered, _, _) = Run("foolsgold", [[1, 2], [2, 0], [0, 3]], clients: [3, 1, 2], state: state);
        Assert.Equal(inOrder[0], reordered[0], 1e-6);
        Assert.Equal(inOrder[1], reordered[1], 1e-6);
    }

    [Fact]
    public void FoolsGold_NonFiniteAndOverflowingRows_WeightZeroHistoryKept()
    {
        var (output, verdicts, state) = Run("foolsgold", [[1, 0], [float.NaN, 0], [3e38f, 3e38f]], clients: [0, 1, 2]);
        Assert.True(VectorMath.IsFinite(output));
        Assert.Contains(1, Flagged(verdicts));
        var (_, _, next) = Run("foolsgold", [[1, 0], [0, 1], [3e38f, 3e38f]], clients: [0, 1, 2], state: state);
        var histories = Assert.IsType<FoolsGoldState>(next).Histories;
        Assert.Equal([0f, 1f], histories[1].Span.ToArray());
        Assert.Equal([3e38f, 3e38f], histories[2].Span.ToArray()); // the second 3e38 overflowed: not added
    }

    [Fact]
    public void Pipeline_IdentityAwareRuleAfterBucketing_RefusedWithReason()
    {
        var pipeline = BuiltInAggregators.CreatePipeline("bucketing>foolsgold", 1);
        Assert.Contains("needs to know which client sent each input", pipeline.OrderProblem, StringComparison.Ordinal);
        Assert.Null(BuiltInAggregators.CreatePipeline("clipping>foolsgold", 1).OrderProblem);
        Assert.Null(BuiltInAggregators.CreatePipeline("nnm>mud-hog", 1).OrderProblem);
    }

    [Theory]
    [InlineData("clipping", true)]
    [InlineData("nnm", true)]
    [InlineData("bucketing", false)]
    public void Pipeline_StepKeepsOrMergesRows_IdsAndVerdictsPassOrAreDropped(string step, bool keeps)
    {
        var spy = new SpyAggregator();
        var pipeline = new AggregationPipeline(spy, [BuiltInAggregators.CreatePreAggregator(step, 0)]);
        var verdicts = new RowVerdicts();
        pipeline.Aggregate(new RowMatrix(new float[8], 4, 2), new float[2], new AggregationContext(0, 1, null) { Clients = new[] { 3, 5, 8, 13 }, Verdicts = verdicts });
        Assert.Equal(keeps ? [3, 5, 8, 13] : [], spy.Clients);
        Assert.Equal(keeps, spy.Verdicts is not null);
        Assert.Equal(keeps, new AggregationPipeline(new FoolsGoldAggregator(0, new FoolsGoldOptions(1)), pipeline.PreAggregators).Detects);
    }

    /// <summary>Records the context it is given.</summary>
    private sealed class SpyAggregator : IAggregator
    {
        public int[] Clients { get; private set; } = [];

        public RowVerdicts? Verdicts { get; private set; }

        public string Name => "spy";

        public int F => 0;

        public string Requirement => "n >= 1";

        public bool Accepts(int n) => n >= 1;

        public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
        {
            Clients = context.Clients.ToArray();
            Verdicts = context.Verdicts;
            return null;
        }
    }
}
