using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.MudHog;

/// <summary>
/// MUD-HoG (Gupta, Luo, Ngo, Das, "Long-Short History of Gradients is All You Need: Detecting
/// Malicious and Unreliable Clients in Federated Learning", arXiv 2208.10273); see
/// <see cref="MudHog"/>. Stateful and identity-aware: each client's long HoG (sum of its updates)
/// and short HoG (mean of its last <c>window</c> updates) live in <see cref="MudHogState"/> by
/// client id. The first <c>warmup</c> rounds average every finite update. Rows excluded from the
/// mean are reported as malicious; clients judged unreliable (benign, low-quality: still averaged)
/// as unreliable. No condition on n and f beyond n >= 1: the clustering assumes the normal
/// clients form the largest group.
/// Choices the reference leaves open: its 2-means is scikit-learn's k-means++ with
/// random_state 0, here Lloyd's iterations from the two farthest long HoGs (deterministic);
/// a non-finite update (the reference drops it before averaging) also stays out of the
/// histories and is reported as malicious; the detection runs over the clients of the round
/// (the reference assumes every client takes part); with no client left to average, the
/// aggregate is zero.
/// </summary>
public sealed class MudHogAggregator(int f, MudHogOptions options) : ClientHistoryAggregator<MudHogOptions>(f, options)
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "mud-hog";

    private DoubleScratch? _scratch;

    /// <inheritdoc />
    public override string Name => RegistryName;

    /// <inheritdoc />
    protected override AggregatorState AggregateRound(RowMatrix inputs, Span<float> destination, int[] clients, in AggregationContext context)
    {
        int n = inputs.Rows;
        int d = inputs.Columns;
        var state = context.State as MudHogState ?? MudHogState.Initial;
        var histories = state.Clients.ToBuilder();
        var finite = new List<int>(n); // rows
        var superseded = ImmutableArray.CreateBuilder<VectorPayload>();
        for (int i = 0; i < n; i++)
        {
            var row = inputs[i];
            var known = histories.TryGetValue(clients[i], out var client) && client.Sum.Length == d ? client : null;
            if (Filtering.ExtendHistory(known?.Sum, row, context.StatePool) is not { } sum)
            {
                continue; // a non-finite update, or a long HoG that overflowed: left out of the histories
            }

            var window = known?.Window ?? [];
            window = window.Add(Filtering.Copy(row, context.StatePool));
            if (window.Length > Options.Window)
            {
                window = window.RemoveAt(0);
            }

            // What this client's new record no longer holds goes back to the pool when the state
            // returned here is retired (MudHogState.Retire).
            if (client is not null)
            {
                superseded.Add(client.Sum);
                superseded.AddRange(client.Window.Where(old => !window.Any(kept => ReferenceEquals(kept, old))));
            }

            histories[clients[i]] = new MudHogClient(sum, window, known?.Suspicion ?? 0, known?.UnreliableCount ?? 0);
            finite.Add(i);
        }

        state = state with { Clients = histories.ToImmutable() };
        ImmutableHashSet<int> averaged;
        if (state.Rounds >= Options.Warmup && finite.Count > 0)
        {
            var ids = finite.Select(i => clients[i]).ToArray();
            var decision = DoubleScratch.Take(ref _scratch, scratch => MudHog.Detect(state, ids, Options, scratch.Rent));
            state = decision.State;
            averaged = decision.Normal;
        }
        else
        {
            averaged = [.. finite.Select(i => clients[i])];
        }

        var weights = new double[n];
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            if (!finite.Contains(i) || !averaged.Contains(clients[i]))
            {
                context.Verdicts?.Flag(i, Verdict.Malicious);
                continue;
            }

            if (state.Unreliable.Contains(clients[i]))
            {
                context.Verdicts?.Flag(i, Verdict.Unreliable);
            }

            weights[i] = 1;
            count++;
        }

        Rows.WeightedMeanInDouble(inputs, weights, count, destination);
        return state with { Rounds = state.Rounds + 1, Superseded = superseded.ToImmutable() };
    }
}
