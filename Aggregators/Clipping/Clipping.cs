using System.Numerics.Tensors;

namespace ByzantineSim.Aggregators.Clipping;

/// <summary>
/// Static norm clipping: y_i = x_i * min(1, c / ||x_i||) (as in ByzFL, and Karimireddy et al.,
/// ICML 2021, arXiv 2012.10333). A row with a NaN or Inf has no direction to keep and becomes the
/// zero vector; a finite row whose float norm overflows is measured in double and clipped
/// properly. Each row is read twice back to back (norm, then scale), so the second read comes
/// from cache when the row fits there; when the norms come with the rows (the server's updates
/// are measured by their producers), each row is read once.
/// </summary>
public static class Clipping
{
    /// <summary>
    /// Writes the clipped rows (n x d) into <paramref name="output"/>; with the rows' norms
    /// <paramref name="known"/> already (one per row), each row is read once.
    /// </summary>
    public static void Apply(RowMatrix inputs, double threshold, Span<float> output, ReadOnlySpan<double> known = default)
    {
        if (known.Length != inputs.Rows)
        {
            Rows.Map(inputs, output, (_, row, result) => ScaleTo(row, Rows.Norm(row), threshold, result));
            return;
        }

        var norms = known.ToArray();
        Rows.Map(inputs, output, (i, row, result) => ScaleTo(row, norms[i], threshold, result));
    }

    /// <summary>result = row * min(1, radius / norm); the zero vector when the norm is infinite.</summary>
    public static void ScaleTo(ReadOnlySpan<float> row, double norm, double radius, Span<float> result)
    {
        if (!double.IsFinite(norm))
        {
            result.Clear();
        }
        else if (norm <= radius)
        {
            row.CopyTo(result);
        }
        else if (radius / norm >= PreciseFactor)
        {
            TensorPrimitives.Multiply(row, (float)(radius / norm), result);
        }
        else
        {
            // A huge row clipped to a small radius: the factor as a float would be subnormal and
            // keep only a few bits, so scale each value in double instead.
            double factor = radius / norm;
            for (int k = 0; k < row.Length; k++)
            {
                result[k] = (float)(row[k] * factor);
            }
        }
    }

    /// <summary>The smallest factor applied in float: 2^-100, where float keeps all 24 bits with room to spare.</summary>
    private const double PreciseFactor = 7.888609052210118e-31;
}
