namespace ByzantineSim.Core.Numerics;

/// <summary>
/// A read-only view of an n x d matrix of float32 stored row-major in one contiguous span:
/// row i is <c>Data[(i * Columns)..((i + 1) * Columns)]</c>. Every kernel takes its inputs as a
/// <see cref="RowMatrix"/> and never writes through it.
/// </summary>
public readonly ref struct RowMatrix
{
    /// <summary>Creates a view; <paramref name="data"/> must hold exactly rows x columns values.</summary>
    public RowMatrix(ReadOnlySpan<float> data, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != data.Length)
        {
            throw new ArgumentException(
                $"a {rows} x {columns} matrix needs {(long)rows * columns} values, got {data.Length}", nameof(data));
        }

        Data = data;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>All values, row after row.</summary>
    public ReadOnlySpan<float> Data { get; }

    /// <summary>Number of rows (inputs), n.</summary>
    public int Rows { get; }

    /// <summary>Number of columns (dimension), d.</summary>
    public int Columns { get; }

    /// <summary>Row <paramref name="index"/> as a span of length <see cref="Columns"/>.</summary>
    public ReadOnlySpan<float> this[int index] => Data.Slice(index * Columns, Columns);

    /// <summary>
    /// Copies column <paramref name="column"/> (coordinate k of every row, in row order) into
    /// <paramref name="destination"/>, which must hold <see cref="Rows"/> values: the gather a
    /// coordinate-wise rule written outside the library starts from.
    /// </summary>
    public void CopyColumn(int column, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
        if (destination.Length != Rows)
        {
            throw new ArgumentException($"a column of this matrix has {Rows} values, the destination holds {destination.Length}", nameof(destination));
        }

        for (int i = 0; i < Rows; i++)
        {
            destination[i] = Data[(i * Columns) + column];
        }
    }

    /// <summary>
    /// destination[k] = statistic(column k) for every column: the loop of a coordinate-wise rule
    /// written outside the library, which then supplies only the statistic of one coordinate.
    /// The statistic gets the column's values in row order in a scratch copy, which it may reorder
    /// (sort, partition) in place; the matrix is never written.
    /// </summary>
    public void ForEachColumn(Span<float> destination, ColumnStatistic statistic)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        if (destination.Length != Columns)
        {
            throw new ArgumentException($"the matrix has {Columns} columns, the destination holds {destination.Length}", nameof(destination));
        }

        var column = new float[Rows];
        for (int k = 0; k < Columns; k++)
        {
            CopyColumn(k, column);
            destination[k] = statistic(column);
        }
    }

    /// <summary>A view of <paramref name="count"/> consecutive rows starting at <paramref name="start"/>.</summary>
    public RowMatrix Slice(int start, int count) =>
        new(Data.Slice(start * Columns, count * Columns), count, Columns);
}

/// <summary>One coordinate's value computed from that coordinate of every row (see <see cref="RowMatrix.ForEachColumn"/>).</summary>
/// <param name="column">The coordinate's values in row order, a scratch copy the statistic may reorder.</param>
public delegate float ColumnStatistic(Span<float> column);
