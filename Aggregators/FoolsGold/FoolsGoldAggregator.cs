using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.FoolsGold;

/// <summary>
/// FoolsGold (Fung, Yoon, Beschastnikh, RAID 2020, arXiv 1808.04866); see <see cref="FoolsGold"/>.
/// Stateful and identity-aware: each client's history is the sum of its finite updates so far,
/// kept in <see cref="FoolsGoldState"/> by client id. The aggregate is (1/n) sum_i w_i x_i, as
/// in the authors' code (not renormalised by the weights). Choices the paper leaves open: the
/// similarity uses the whole update vector (the authors' deep-learning code uses the output
/// layer's weights, which a vector-only rule cannot single out), without the optional feature
/// importance; a non-finite update is not added to the history and gets weight 0. A row of
/// weight 0 is reported as malicious. No condition on n and f: it makes no honest-majority
/// assumption, only that honest clients differ from each other more than sybils do.
/// </summary>
public sealed class FoolsGoldAggregator(int f, FoolsGoldOptions options) : ClientHistoryAggregator<FoolsGoldOptions>(f, options)
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "foolsgold";

    /// <inheritdoc />
    public override string Name => RegistryName;

    /// <inheritdoc />
    protected override AggregatorState AggregateRound(RowMatrix inputs, Span<float> destination, int[] clients, in AggregationContext context)
    {
        int n = inputs.Rows;
        var previous = context.State is FoolsGoldState state ? state.Histories : ImmutableDictionary<int, VectorPayload>.Empty;
        var histories = new VectorPayload?[n];
        var next = previous.ToBuilder();
        var superseded = ImmutableArray.CreateBuilder<VectorPayload>();
        for (int i = 0; i < n; i++)
        {
            // A non-finite row, or one whose sum overflows: weight 0 this round, history as it was.
            if (Filtering.ExtendHistory(previous.GetValueOrDefault(clients[i]), inputs[i], context.StatePool) is not { } history)
            {
                continue;
            }

            histories[i] = history;
            if (next.TryGetValue(clients[i], out var replaced))
            {
                superseded.Add(replaced);
            }

            next[clients[i]] = history;
        }

        var weights = FoolsGold.Weights(histories, Options.Kappa);
        for (int i = 0; i < n; i++)
        {
            if (weights[i] == 0)
            {
                context.Verdicts?.Flag(i, Verdict.Malicious);
            }
        }

        Rows.WeightedMeanInDouble(inputs, weights, n, destination);
        return new FoolsGoldState(next.ToImmutable(), superseded.ToImmutable());
    }
}

/// <summary>
/// FoolsGold's state: each client's history, the sum of its updates so far, by client id, and the
/// histories of the previous state this one replaced.
/// </summary>
/// <param name="Histories">History by client id.</param>
/// <param name="Superseded">The previous state's histories that this one no longer holds.</param>
public sealed record FoolsGoldState(ImmutableDictionary<int, VectorPayload> Histories, ImmutableArray<VectorPayload> Superseded) : AggregatorState
{
    /// <summary>
    /// Gives back the histories this state superseded: its predecessor is retired by now, and
    /// nothing else holds them. Its own histories stay readable (a newer state shares those it
    /// did not replace, and gives back those it did when it is retired in turn).
    /// </summary>
    public override void Retire()
    {
        foreach (var history in Superseded)
        {
            history.Release();
        }
    }
}
