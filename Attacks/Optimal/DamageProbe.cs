using System.Numerics.Tensors;
using ByzantineSim.Aggregators;
using ByzantineSim.Aggregators.Mean;

namespace ByzantineSim.Attacks.Optimal;

/// <summary>
/// The damage of a candidate Byzantine vector b(x) = base + x * direction:
/// || F(honest rows + f copies of b(x)) - mean(honest) ||, with F the coalition's copy of the
/// server's pipeline. The input matrix is assembled once, with the honest rows in front (the
/// server orders by id and Byzantine ids come last), and each evaluation rewrites only the f
/// Byzantine rows. Two exact shortcuts avoid re-running what cannot change:
/// the plain mean has a closed form, (f / N) * ||base - mean + x * direction||, a quadratic in x
/// evaluated in O(1) after three dot products; and when every pre-aggregator maps rows on their
/// own (<see cref="IRowwisePreAggregator"/>, e.g. clipping) before the mean,
/// F = (sum_i P(h_i) + f P(b)) / N, so the honest rows are transformed and summed once and each
/// evaluation transforms one vector. Every other pipeline is run for real.
/// </summary>
public ref struct DamageProbe : IObjective
{
    private readonly AggregationPipeline _pipeline;
    private readonly Span<float> _inputs;
    private readonly Span<float> _aggregate;
    private readonly ReadOnlySpan<float> _honestMean;
    private readonly ReadOnlySpan<float> _base;
    private readonly ReadOnlySpan<float> _direction;
    private readonly int _honest;
    private readonly int _byzantine;
    private readonly AggregationContext _context;
    private readonly bool _closedForm;
    private readonly bool _rowwise;
    private readonly ReadOnlySpan<float> _honestSum;
    private readonly Span<float> _transformed;
    private readonly double _uu;
    private readonly double _ud;
    private readonly double _dd;

    /// <summary>Prepares the probe.</summary>
    /// <param name="pipeline">The pipeline to attack (the coalition's own instance).</param>
    /// <param name="honest">The honest updates.</param>
    /// <param name="byzantine">f, the number of copies of the candidate.</param>
    /// <param name="honestMean">mean(honest).</param>
    /// <param name="baseVector">base of the candidate; empty for zero.</param>
    /// <param name="direction">direction of the candidate.</param>
    /// <param name="context">The aggregation context the evaluations use.</param>
    /// <param name="scratch">(honest + f + 1) x d floats of scratch; only d are used for the plain mean.</param>
    public DamageProbe(
        AggregationPipeline pipeline,
        RowMatrix honest,
        int byzantine,
        ReadOnlySpan<float> honestMean,
        ReadOnlySpan<float> baseVector,
        ReadOnlySpan<float> direction,
        AggregationContext context,
        Span<float> scratch)
    {
        int d = honest.Columns;
        _pipeline = pipeline;
        _honest = honest.Rows;
        _byzantine = byzantine;
        _honestMean = honestMean;
        _base = baseVector;
        _direction = direction;
        _context = context;
        _closedForm = IsPlainMean(pipeline);
        _rowwise = !_closedForm && IsRowwiseMean(pipeline);
        if (_rowwise)
        {
            // scratch: [sum of transformed honest rows | one transformed row | aggregate | ping-pong row]
            var sum = scratch[..d];
            _transformed = scratch.Slice(d, d);
            _aggregate = scratch.Slice(2 * d, d);
            _inputs = scratch.Slice(3 * d, d);
            sum.Clear();
            for (int i = 0; i < _honest; i++)
            {
                Transform(honest[i]);
                TensorPrimitives.Add(sum, _transformed, sum);
            }

            _honestSum = sum;
        }
        else if (_closedForm)
        {
            double meanDotDirection = TensorPrimitives.Dot(honestMean, direction);
            _uu = baseVector.IsEmpty ? TensorPrimitives.Dot(honestMean, honestMean) : VectorMath.SquaredDistance(baseVector, honestMean);
            _ud = (baseVector.IsEmpty ? 0 : TensorPrimitives.Dot(baseVector, direction)) - meanDotDirection;
            _dd = TensorPrimitives.Dot(direction, direction);
            _inputs = [];
            _aggregate = [];
        }
        else
        {
            _inputs = scratch[..((_honest + byzantine) * d)];
            _aggregate = scratch.Slice((_honest + byzantine) * d, d);
            honest.Data.CopyTo(_inputs);
        }
    }

    /// <summary>Scratch floats the probe needs for <paramref name="pipeline"/>.</summary>
    public static long ScratchLength(AggregationPipeline pipeline, int honest, int byzantine, int dimension) =>
        IsPlainMean(pipeline) ? 0
        : IsRowwiseMean(pipeline) ? 4L * dimension
        : (long)(honest + byzantine + 1) * dimension;

    /// <summary>Number of evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Writes the candidate b(<paramref name="factor"/>) into <paramref name="destination"/>.</summary>
    public readonly void Candidate(double factor, Span<float> destination)
    {
        if (_base.IsEmpty)
        {
            TensorPrimitives.Multiply(_direction, (float)factor, destination);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(_direction, (float)factor, _base, destination);
        }
    }

    /// <inheritdoc />
    public double Evaluate(double factor)
    {
        Evaluations++;
        int n = _honest + _byzantine;
        if (_closedForm)
        {
            double squared = _uu + (2 * factor * _ud) + (factor * factor * _dd);
            return (double)_byzantine / n * Math.Sqrt(Math.Max(0, squared));
        }

        if (_rowwise)
        {
            Candidate(factor, _aggregate);
            Transform(_aggregate);
            TensorPrimitives.MultiplyAdd(_transformed, (float)_byzantine, _honestSum, _aggregate);
            TensorPrimitives.Multiply(_aggregate, 1f / n, _aggregate);
            return Math.Sqrt(VectorMath.SquaredDistance(_aggregate, _honestMean));
        }

        int d = _aggregate.Length;
        var first = _inputs.Slice(_honest * d, d);
        Candidate(factor, first);
        for (int k = 1; k < _byzantine; k++)
        {
            first.CopyTo(_inputs.Slice((_honest + k) * d, d));
        }

        try
        {
            _pipeline.Aggregate(new RowMatrix(_inputs, n, d), _aggregate, _context);
        }
        catch (AggregationException)
        {
            return double.NaN; // the rule refuses these inputs: not an improvement
        }

        float distance = VectorMath.SquaredDistance(_aggregate, _honestMean);
        return Math.Sqrt(distance);
    }

    /// <summary>Applies every (row-wise) pre-aggregator to <paramref name="row"/>; the result lands in the transformed-row scratch.</summary>
    private readonly void Transform(ReadOnlySpan<float> row)
    {
        // Alternate between two scratch rows so that no step reads the span it writes.
        bool intoTransformed = _pipeline.PreAggregators.Length % 2 == 1;
        ReadOnlySpan<float> current = row;
        foreach (var step in _pipeline.PreAggregators)
        {
            var target = intoTransformed ? _transformed : _inputs;
            ((IRowwisePreAggregator)step).ApplyRow(current, target, _context);
            current = target;
            intoTransformed = !intoTransformed;
        }
    }

    private static bool IsPlainMean(AggregationPipeline pipeline) =>
        pipeline.PreAggregators.IsEmpty && pipeline.Aggregator is MeanAggregator;

    private static bool IsRowwiseMean(AggregationPipeline pipeline) =>
        pipeline.Aggregator is MeanAggregator && pipeline.PreAggregators.All(step => step is IRowwisePreAggregator);
}
