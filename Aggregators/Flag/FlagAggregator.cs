using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Aggregators.Flag;

/// <summary>
/// The Flag Aggregator (Almasi, Mishra, Vamanan, Ravi, arXiv 2302.05865); see <see cref="Flag"/>.
/// It weighs rows by their fit to the subspace and excludes none, so it does not use f; rows with
/// NaN or +-Inf are dropped (and reported as malicious) before it runs. Like the reference, the
/// output is built from the unit rows: its norm is at most n / r, whatever the rows' norms.
/// </summary>
public sealed class FlagAggregator(int f, FlagOptions options) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "flag";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <summary>The validated options this instance runs with, as bound from the spec's parameters.</summary>
    public FlagOptions Options { get; } = options;

    /// <inheritdoc />
    public string Requirement => "n >= 1";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= 1;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        VectorMath.CheckDestination(inputs, destination);
        var finiteFlags = Filtering.FiniteRows(inputs);
        int[] finite = Filtering.Indices(finiteFlags);
        Filtering.FlagExcluded(context.Verdicts, finiteFlags);
        if (finite.Length == 0)
        {
            throw new AggregationException($"{Name} has no finite input to aggregate");
        }

        var norms = Rows.NormsOf(inputs, context.RowNorms.Span);
        int m = finite.Length;
        var distances = Filtering.CosineDistances(inputs, finite);
        var gram = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            bool iZero = norms[finite[i]] == 0;
            for (int j = 0; j < m; j++)
            {
                bool zero = iZero || norms[finite[j]] == 0;
                gram[(i * m) + j] = zero ? 0 : i == j ? 1 : 1 - distances[(i * m) + j];
            }
        }

        var coefficients = Flag.Coefficients(gram, m, Options.Rank, Options.Lambda, Options.Iterations);
        var weights = new double[m];
        for (int j = 0; j < m; j++)
        {
            weights[j] = norms[finite[j]] > 0 ? coefficients[j] / norms[finite[j]] : 0;
        }

        Filtering.Combine(inputs, finite, weights, destination);
        return null;
    }
}
