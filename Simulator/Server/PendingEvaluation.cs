using ByzantineSim.Clients.Training;

namespace ByzantineSim.Simulator.Server;

/// <summary>
/// One evaluation of the global model split into fixed parts, so that every trainer of the pool
/// can take some. The parts' sums are added in part order once all have arrived, so the result
/// does not depend on which trainer finished first or on how many trainers there are.
/// </summary>
internal sealed class PendingEvaluation
{
    /// <summary>Samples per part: small enough to spread over the trainers, large enough to amortise loading theta.</summary>
    public const int PartSize = 1000;

    private readonly EvaluationSums?[] _parts;
    private readonly bool _regression;
    private int _remaining;

    public PendingEvaluation(int round, bool validation, int samples, bool regression)
    {
        Round = round;
        Validation = validation;
        Samples = samples;
        _regression = regression;
        _parts = new EvaluationSums?[Math.Max(1, (samples + PartSize - 1) / PartSize)];
        _remaining = _parts.Length;
    }

    public int Round { get; }

    public bool Validation { get; }

    /// <summary>True when this evaluates the attack success set: its accuracy is the attack success rate.</summary>
    public bool AttackSuccess { get; init; }

    public int Samples { get; }

    public int PartCount => _parts.Length;

    /// <summary>Trainer time spent on the parts so far.</summary>
    public double Seconds { get; private set; }

    /// <summary>First sample and sample count of <paramref name="part"/>.</summary>
    public (int Start, int Count) Range(int part)
    {
        int start = part * PartSize;
        return (start, Math.Min(PartSize, Samples - start));
    }

    /// <summary>
    /// Records a part's sums, or its failure (null); returns the evaluation once every part is
    /// in (NaN accuracy and loss when any part failed), null before.
    /// </summary>
    public Evaluation? Complete(int part, EvaluationSums? sums, double seconds)
    {
        Seconds += seconds;
        _parts[part] = sums;
        if (--_remaining > 0)
        {
            return null;
        }

        var total = default(EvaluationSums);
        foreach (var received in _parts)
        {
            if (received is not { } value)
            {
                return new Evaluation(double.NaN, double.NaN); // a part failed
            }

            total = total.Add(value);
        }

        return total.ToEvaluation(_regression);
    }
}
