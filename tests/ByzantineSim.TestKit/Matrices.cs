using ByzantineSim.Core.Numerics;

namespace ByzantineSim.TestKit;

/// <summary>Small helpers to build matrices for tests.</summary>
public static class Matrices
{
    /// <summary>ByzFL's unit-test rows [1,2,3], [4,5,6], [7,8,9].</summary>
    public static float[][] ByzFlRows => [[1, 2, 3], [4, 5, 6], [7, 8, 9]];

    /// <summary>Flattens rows into a row-major array.</summary>
    public static float[] Flatten(params float[][] rows) => [.. rows.SelectMany(r => r)];

    /// <summary>A view over <paramref name="rows"/>.</summary>
    public static RowMatrix View(float[] data, int rows) => new(data, rows, rows == 0 ? 0 : data.Length / rows);

    /// <summary>n x d standard normal values from a seed.</summary>
    public static float[] Gaussian(int n, int d, ulong seed, double scale = 1.0, double shift = 0.0)
    {
        var random = new DeterministicRandom(seed);
        var data = new float[n * d];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(shift + (scale * random.NextGaussian()));
        }

        return data;
    }
}
