namespace ByzantineSim.Aggregators;

/// <summary>
/// Pre-aggregators in order, then the aggregator. Holds reusable scratch buffers for the
/// intermediate matrices, so one instance serves one run at a time (not thread-safe).
/// </summary>
public sealed class AggregationPipeline
{
    private float[] _front = [];
    private float[] _back = [];

    /// <summary>Creates a pipeline.</summary>
    public AggregationPipeline(IAggregator aggregator, ImmutableArray<IPreAggregator> preAggregators = default)
    {
        Aggregator = aggregator;
        PreAggregators = preAggregators.IsDefault ? [] : preAggregators;
    }

    /// <summary>The final rule.</summary>
    public IAggregator Aggregator { get; }

    /// <summary>The steps applied before <see cref="Aggregator"/>, in order.</summary>
    public ImmutableArray<IPreAggregator> PreAggregators { get; }

    /// <summary>
    /// True when the pipeline's verdicts name clients: the aggregator detects
    /// (<see cref="IAggregator.Detects"/>) and no step before it merges rows.
    /// </summary>
    public bool Detects => Aggregator.Detects && PreAggregators.All(step => step.KeepsPositions);

    /// <summary>
    /// Why the pipeline cannot weight its inputs by their clients' sample counts, or null when it
    /// can: the aggregator has no weighted form, or a step before it merges rows, which then
    /// belong to no client and have no sample count.
    /// </summary>
    public string? WeightsProblem =>
        !Aggregator.SupportsWeights ? $"{Aggregator.Name} has no sample-weighted form"
        : PreAggregators.FirstOrDefault(step => !step.KeepsPositions) is { } mixer ? $"{mixer.Name} merges the inputs into anonymous rows, which have no sample counts to weight"
        : null;

    /// <summary>A readable form such as <c>nnm > krum</c>.</summary>
    public string Description => string.Join(" > ", PreAggregators.Select(p => p.Name).Append(Aggregator.Name));

    /// <summary>The number of rows the aggregator sees for <paramref name="n"/> inputs.</summary>
    public int EffectiveInputs(int n) => PreAggregators.Aggregate(n, (rows, step) => step.OutputRows(rows));

    /// <summary>True when every pre-aggregator accepts its inputs and the aggregator accepts what they make of n inputs.</summary>
    public bool Accepts(int n) => Rejection(n) is null;

    /// <summary>
    /// Why the steps cannot be combined whatever n is, or null: a rule that trusts an input by its
    /// position cannot follow a step that reorders or merges rows (bucketing before MoNNA would
    /// hand it a shuffled bucket mean, possibly a Byzantine one, as the trusted input).
    /// A rule that needs the client behind each row (<see cref="IAggregator.NeedsIdentities"/>)
    /// cannot follow such a step either: the merged rows belong to no client.
    /// </summary>
    public string? OrderProblem =>
        PreAggregators.FirstOrDefault(step => !step.KeepsPositions) is not { } mixer ? null
        : Aggregator.TrustedInput is { } trusted ? $"{Aggregator.Name} trusts input {trusted} by its position, but {mixer.Name} reorders and merges the inputs before it"
        : Aggregator.NeedsIdentities ? $"{Aggregator.Name} needs to know which client sent each input, but {mixer.Name} merges the inputs before it into anonymous rows"
        : null;

    /// <summary>Why n inputs cannot be aggregated (the first step whose condition fails), or null when they can.</summary>
    public string? Rejection(int n)
    {
        if (OrderProblem is { } problem)
        {
            return problem;
        }

        if (n <= 0)
        {
            return $"{Description} needs at least one input";
        }

        int rows = n;
        foreach (var step in PreAggregators)
        {
            if (!step.Accepts(rows))
            {
                return $"{step.Name} cannot transform {rows} inputs: requires {step.Requirement}";
            }

            rows = step.OutputRows(rows);
        }

        return Aggregator.Accepts(rows)
            ? null
            : $"{Description} cannot aggregate {n} inputs ({rows} after pre-aggregation): requires {Aggregator.Requirement} with f = {Aggregator.F}";
    }

    /// <summary>
    /// The measure the rule takes of each row against <paramref name="state"/> (the pipeline's
    /// state, which is the rule's), when the rows reach it as they arrive (no pre-aggregator) and
    /// it is an <see cref="IMeasuresRowsOnArrival"/>; null otherwise.
    /// </summary>
    public RowMeasure? ArrivalMeasure(AggregatorState? state, int dimension) =>
        PreAggregators.IsDefaultOrEmpty && Aggregator is IMeasuresRowsOnArrival rule ? rule.ArrivalMeasure(state, dimension) : null;

    /// <summary>
    /// Runs every step; returns the aggregator's next state. The context's client ids, weights and
    /// verdict sink pass through steps that keep positions; after a step that merges rows the rows
    /// are anonymous (no ids, no sample counts) and their verdicts would name no client, so all
    /// three are dropped.
    /// </summary>
    /// <exception cref="AggregationException">The inputs violate the aggregator's requirement.</exception>
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        if (Rejection(inputs.Rows) is { } reason)
        {
            throw new AggregationException(reason);
        }

        var current = inputs;
        var stepContext = context;
        bool useFront = true;
        foreach (var step in PreAggregators)
        {
            int rows = step.OutputRows(current.Rows);
            int length = rows * current.Columns;
            ref float[] buffer = ref useFront ? ref _front : ref _back;
            if (buffer.Length < length)
            {
                buffer = new float[length];
            }

            var output = buffer.AsSpan(0, length);
            step.Apply(current, output, stepContext);
            current = new RowMatrix(output, rows, current.Columns);
            useFront = !useFront;
            if (!step.KeepsPositions)
            {
                stepContext = stepContext with { Clients = ReadOnlyMemory<int>.Empty, Verdicts = null, Weights = ReadOnlyMemory<double>.Empty };
            }

            stepContext = stepContext with { RowNorms = ReadOnlyMemory<double>.Empty, ArrivalMeasures = ReadOnlyMemory<double>.Empty }; // the rows are rewritten
        }

        return Aggregator.Aggregate(current, destination, stepContext);
    }
}
