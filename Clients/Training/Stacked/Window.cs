using System.Runtime.Intrinsics;

namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>
/// Four neighbouring 2x2 windows, one per lane: v0 upper left, v1 upper right, v2 lower left,
/// v3 lower right, bias added.
/// </summary>
internal readonly record struct Window(Vector128<float> V0, Vector128<float> V1, Vector128<float> V2, Vector128<float> V3)
{
    /// <summary>Windows px..px+3 of a row pair starting at <paramref name="top"/> (8 values of each row).</summary>
    public static unsafe Window Load(float* top, int width, Vector128<float> bias)
    {
        var (upperLeft, upperRight) = Deinterleave(Vector128.Load(top), Vector128.Load(top + 4));
        var (lowerLeft, lowerRight) = Deinterleave(Vector128.Load(top + width), Vector128.Load(top + width + 4));
        return new Window(upperLeft + bias, upperRight + bias, lowerLeft + bias, lowerRight + bias);
    }

    /// <summary>One window, in lane 0.</summary>
    public static unsafe Window LoadOne(float* top, int width, Vector128<float> bias) =>
        new(Vector128.CreateScalar(top[0]) + bias, Vector128.CreateScalar(top[1]) + bias, Vector128.CreateScalar(top[width]) + bias, Vector128.CreateScalar(top[width + 1]) + bias);

    /// <summary>max(0, window maximum); NaN stays NaN.</summary>
    public Vector128<float> Best() => Vector128.Max(Vector128.Max(Vector128.Max(V0, V1), Vector128.Max(V2, V3)), Vector128<float>.Zero);

    /// <summary>0..3: which element is the maximum.</summary>
    public Vector128<int> Winner()
    {
        var one = Vector128.Create(1);
        var upperIndex = Vector128.GreaterThan(V1, V0).AsInt32() & one;
        var lowerIndex = (Vector128.GreaterThan(V3, V2).AsInt32() & one) + Vector128.Create(2);
        var lowerWins = Vector128.GreaterThan(Vector128.Max(V2, V3), Vector128.Max(V0, V1)).AsInt32();
        return Vector128.ConditionalSelect(lowerWins, lowerIndex, upperIndex);
    }

    /// <summary>Writes four windows' gradients (0 where the window was not positive) to their winners, 0 elsewhere.</summary>
    public static unsafe void Scatter(Vector128<float> gradient, Vector128<float> pooled, Vector128<int> winner, float* top, int width)
    {
        var passed = gradient & Vector128.GreaterThan(pooled, Vector128<float>.Zero);
        var upperLeft = passed & Vector128.Equals(winner, Vector128<int>.Zero).AsSingle();
        var upperRight = passed & Vector128.Equals(winner, Vector128.Create(1)).AsSingle();
        var lowerLeft = passed & Vector128.Equals(winner, Vector128.Create(2)).AsSingle();
        var lowerRight = passed & Vector128.Equals(winner, Vector128.Create(3)).AsSingle();
        Interleave(upperLeft, upperRight, top);
        Interleave(lowerLeft, lowerRight, top + width);
    }

    /// <summary>One window's version of <see cref="Scatter"/>.</summary>
    public static unsafe void ScatterOne(float gradient, float pooled, int winner, float* top, int width)
    {
        float passed = pooled > 0 ? gradient : 0;
        top[0] = winner == 0 ? passed : 0;
        top[1] = winner == 1 ? passed : 0;
        top[width] = winner == 2 ? passed : 0;
        top[width + 1] = winner == 3 ? passed : 0;
    }

    /// <summary>Splits eight consecutive values into the even- and odd-indexed four.</summary>
    private static (Vector128<float> Even, Vector128<float> Odd) Deinterleave(Vector128<float> low, Vector128<float> high) =>
        System.Runtime.Intrinsics.X86.Sse.IsSupported
            ? (System.Runtime.Intrinsics.X86.Sse.Shuffle(low, high, 0b10_00_10_00), System.Runtime.Intrinsics.X86.Sse.Shuffle(low, high, 0b11_01_11_01))
            : (Vector128.Create(low[0], low[2], high[0], high[2]), Vector128.Create(low[1], low[3], high[1], high[3]));

    /// <summary>The inverse of <see cref="Deinterleave"/>: writes even[k], odd[k] in turn, eight values.</summary>
    private static unsafe void Interleave(Vector128<float> even, Vector128<float> odd, float* target)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.UnpackLow(even, odd).Store(target);
            System.Runtime.Intrinsics.X86.Sse.UnpackHigh(even, odd).Store(target + 4);
            return;
        }

        for (int k = 0; k < 4; k++)
        {
            target[2 * k] = even[k];
            target[(2 * k) + 1] = odd[k];
        }
    }
}
