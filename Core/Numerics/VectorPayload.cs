namespace ByzantineSim.Core.Numerics;

/// <summary>
/// An owned, read-only float32 vector: the one way model-sized data (parameters, gradients,
/// updates, aggregator state) travels between components and actors. The constructor takes
/// ownership of the array; nothing can write to it afterwards, so a payload may be shared by
/// reference between threads without copying.
/// <para>
/// A payload over an array from a <see cref="PayloadPool"/> lives until its last owner calls
/// <see cref="Release"/> (in a run: until its <see cref="RoundLease"/> is given back); from then
/// on reading it throws <see cref="ObjectDisposedException"/>, and its array goes back to the pool.
/// </para>
/// <para>
/// A payload may also be a row of a larger array (<see cref="Over"/>): a trainer writes an
/// honest gradient straight into its row of the server's round matrix, and the server then has
/// nothing to copy.
/// </para>
/// </summary>
public sealed class VectorPayload : IEquatable<VectorPayload>
{
    private readonly PayloadPool? _pool;
    private readonly RoundLease? _lease;
    private float[] _values;
    private int _offset;
    private readonly int _length;
    private int _finite;
    private int _released;
    private double _norm = double.NaN; // unknown until Norm() measures it

    private VectorPayload(float[] values, PayloadPool? pool = null, int offset = 0, int length = -1, RoundLease? lease = null)
    {
        _values = values;
        _pool = pool;
        _lease = lease;
        _offset = offset;
        _length = length < 0 ? values.Length : length;
    }

    /// <summary>An empty vector.</summary>
    public static VectorPayload Empty { get; } = new([]);

    /// <summary>Number of coordinates (still known after <see cref="Release"/>).</summary>
    public int Length => _length;

    /// <summary>The coordinates.</summary>
    /// <exception cref="ObjectDisposedException">The payload, or the round lease its memory belongs to, was released.</exception>
    public ReadOnlySpan<float> Span
    {
        get
        {
            ThrowIfReleased();
            return _values.AsSpan(_offset, _length);
        }
    }

    /// <summary>The coordinates as memory (e.g. for a row of a matrix being assembled).</summary>
    /// <exception cref="ObjectDisposedException">The payload, or the round lease its memory belongs to, was released.</exception>
    public ReadOnlyMemory<float> Memory
    {
        get
        {
            ThrowIfReleased();
            return _values.AsMemory(_offset, _length);
        }
    }

    /// <summary>True once reading this payload would throw.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0 || (_lease?.IsReleased ?? false);

    private void ThrowIfReleased()
    {
        if (Volatile.Read(ref _released) != 0)
        {
            throw new ObjectDisposedException(nameof(VectorPayload), "this payload was released and its array went back to the pool");
        }

        _lease?.ThrowIfReleased();
    }

    /// <summary>
    /// Wraps <paramref name="values"/> without copying. The caller gives up the array: it must
    /// not keep a reference it could write through.
    /// </summary>
    public static VectorPayload TakeOwnership(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new VectorPayload(values);
    }

    /// <summary>
    /// Wraps <paramref name="row"/>, a part of an array, without copying and without owning it
    /// (<see cref="Release"/> does nothing). The writer fills it before the payload is shared and
    /// writes no more while anyone reads it: the array's owner decides when it is written again.
    /// A row of a round's matrix (<see cref="RoundLease.Matrix"/>) reads only while that lease is held.
    /// </summary>
    public static VectorPayload Over(Memory<float> row)
    {
        var lease = RoundLease.Of(row);
        if (!System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(row, out var segment) || segment.Array is null)
        {
            throw new ArgumentException("a payload can only be a part of an array", nameof(row));
        }

        return new VectorPayload(segment.Array, null, segment.Offset, segment.Count, lease);
    }

    /// <summary>True when this payload's coordinates are the very memory of <paramref name="row"/> (it was written there in place).</summary>
    public bool Occupies(ReadOnlySpan<float> row) =>
        row.Length == _length && System.Runtime.CompilerServices.Unsafe.AreSame(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(row), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(Span));

    /// <summary>
    /// Wraps <paramref name="values"/>, an array rented from <paramref name="pool"/>, without
    /// copying; <see cref="Release"/> gives it back.
    /// </summary>
    public static VectorPayload TakeOwnership(float[] values, PayloadPool pool)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(pool);
        return new VectorPayload(values, pool);
    }

    /// <summary>Copies <paramref name="values"/> into a new payload over an array from <paramref name="pool"/>.</summary>
    public static VectorPayload CopyOf(ReadOnlySpan<float> values, PayloadPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var array = pool.Rent(values.Length);
        values.CopyTo(array);
        return new VectorPayload(array, pool);
    }

    /// <summary>
    /// For the last owner of a pooled payload: the array goes back to its pool (once, however
    /// often this is called), and reading the payload throws from then on. Nothing may still be
    /// reading it. Does nothing for a payload that is not pooled.
    /// </summary>
    public void Release()
    {
        if (_pool is null || Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        var values = _values;
        _values = [];
        _offset = 0;
        _pool.Return(values);
    }

    /// <summary>Copies <paramref name="values"/> into a new payload.</summary>
    public static VectorPayload CopyOf(ReadOnlySpan<float> values) => new(values.ToArray());

    /// <summary>A vector of <paramref name="length"/> zeros.</summary>
    public static VectorPayload Zeros(int length) => new(new float[length]);

    /// <summary>
    /// True when every coordinate is finite. Computed once and remembered (the values never
    /// change), so whoever produced the vector can pay for the scan while it is in cache, in
    /// parallel, instead of the server, serially, when a round's updates arrive together.
    /// </summary>
    public bool IsFinite()
    {
        // 0 unknown, 1 finite, 2 not; a race only computes the same answer twice.
        int known = Volatile.Read(ref _finite);
        if (known == 0)
        {
            known = VectorMath.IsFinite(Span) ? 1 : 2;
            Volatile.Write(ref _finite, known);
        }

        return known == 1;
    }

    /// <summary>
    /// The Euclidean norm, <see cref="Rows.Norm"/>'s value (+Infinity exactly when a coordinate is
    /// NaN or infinite), computed once and remembered like <see cref="IsFinite"/>, which it
    /// answers as well: the producer measures the vector while it is in cache, and rules that
    /// rank rows by norm read the result instead of a pass of their own.
    /// </summary>
    public double Norm()
    {
        double norm = Volatile.Read(ref _norm);
        if (double.IsNaN(norm))
        {
            norm = Rows.Norm(Span);
            Volatile.Write(ref _finite, double.IsFinite(norm) ? 1 : 2);
            Volatile.Write(ref _norm, norm);
        }

        return norm;
    }

    /// <summary>The norm when <see cref="Norm"/> has measured it already; no pass otherwise.</summary>
    public bool TryGetNorm(out double norm)
    {
        norm = Volatile.Read(ref _norm);
        return !double.IsNaN(norm);
    }

    /// <summary>Bitwise equality of the coordinates (NaN equals NaN with the same bits).</summary>
    public bool Equals(VectorPayload? other) =>
        other is not null &&
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(Span)
            .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(other.Span));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as VectorPayload);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Span));
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        Length <= 8 ? $"[{string.Join(", ", Span.ToArray())}]" : $"[{Length} floats]";
}
