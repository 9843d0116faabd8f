namespace ByzantineSim.Aggregators.FlTrust;

/// <summary>
/// FLTrust (Cao, Fang, Liu, Gong, NDSS 2021, arXiv 2012.13995); see <see cref="FlTrust"/>. Needs
/// the server's own update (the run's <c>server_data</c>); no condition on n and f beyond n >= 1,
/// since the trust comes from the server's data, not from an honest majority. A row whose trust
/// score is 0 (it points away from the server's update) is excluded and reported as malicious.
/// </summary>
public sealed class FlTrustAggregator(int f) : IAggregator
{
    /// <summary>The name a spec's YAML uses to select this aggregator; its key in the aggregator registry.</summary>
    public const string RegistryName = "fltrust";

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public int F { get; } = f;

    /// <inheritdoc />
    public string Requirement => "n >= 1 and the server's update (server_data)";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= 1;

    /// <inheritdoc />
    public bool NeedsServerUpdate => true;

    /// <inheritdoc />
    public bool Detects => true;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        AggregationException.ThrowUnlessAccepted(this, inputs.Rows);

        if (context.ServerUpdate.Length != inputs.Columns)
        {
            throw new AggregationException(
                $"{Name} needs the server's update of {inputs.Columns} values (the run's server_data), got {context.ServerUpdate.Length}");
        }

        var trust = new double[inputs.Rows];
        FlTrust.Aggregate(inputs, context.ServerUpdate.Span, destination, trust);
        if (context.Verdicts is { } verdicts)
        {
            for (int i = 0; i < trust.Length; i++)
            {
                if (trust[i] == 0)
                {
                    verdicts.Flag(i, Verdict.Malicious);
                }
            }
        }

        return null;
    }
}
