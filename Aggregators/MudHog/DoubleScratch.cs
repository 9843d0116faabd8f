namespace ByzantineSim.Aggregators.MudHog;

/// <summary>
/// Model-sized double arrays that one rule instance reuses from call to call (MUD-HoG's HoGs,
/// medians and centres), so that a round allocates none once the first has run. A call takes the
/// whole scratch (<see cref="Take"/>) and gives it back when done; a call that finds it taken (the
/// same instance aggregating for two peers at once) works on a fresh one.
/// </summary>
internal sealed class DoubleScratch
{
    private readonly Stack<double[]> _free = new();
    private readonly List<double[]> _lent = [];

    /// <summary>An array of <paramref name="length"/> doubles with any contents, until <see cref="ReturnAll"/>.</summary>
    public double[] Rent(int length)
    {
        var array = _free.TryPeek(out var top) && top.Length == length ? _free.Pop() : new double[length];
        _lent.Add(array);
        return array;
    }

    /// <summary>Takes back every array lent since the last call; arrays of another length than the last lent are dropped.</summary>
    public void ReturnAll()
    {
        if (_lent.Count > 0 && _free.TryPeek(out var top) && top.Length != _lent[0].Length)
        {
            _free.Clear();
        }

        foreach (var array in _lent)
        {
            _free.Push(array);
        }

        _lent.Clear();
    }

    /// <summary>Runs <paramref name="work"/> on the scratch held in <paramref name="slot"/> (or a fresh one when another call holds it), then puts it back.</summary>
    public static T Take<T>(ref DoubleScratch? slot, Func<DoubleScratch, T> work)
    {
        var scratch = Interlocked.Exchange(ref slot, null) ?? new DoubleScratch();
        try
        {
            return work(scratch);
        }
        finally
        {
            scratch.ReturnAll();
            Volatile.Write(ref slot, scratch);
        }
    }
}
