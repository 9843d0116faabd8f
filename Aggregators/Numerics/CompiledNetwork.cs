using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace ByzantineSim.Aggregators.Numerics;

/// <summary>Switches the compiled networks off for the calls made on one thread (tests compare both paths).</summary>
internal static class CompiledNetwork
{
    /// <summary>When true, the coordinate-wise rules called on this thread interpret their network.</summary>
    [ThreadStatic]
    internal static bool InterpretOnThisThread;
}

/// <summary>
/// A sorting network compiled into straight-line code with one local per wire, so that a column
/// block's values stay in registers through the whole network: loaded once from the rows, sorted
/// with lane-wise min/max, and stored once, only at the ranks the statistic reads. Interpreted
/// from its comparator list, every comparator loads and stores both of its wires; compiled, it
/// does neither. The comparators, their order and the lane operations are the interpreted ones,
/// so every column comes out with the same bits.
/// </summary>
/// <typeparam name="T">The vector width.</typeparam>
internal static unsafe class CompiledNetwork<T>
    where T : unmanaged, ISimd<T>
{
    /// <summary>
    /// Widest network compiled. Up to 30 wires the compiled kernel took 0.55-0.65x the interpreted
    /// one's time, with 512- and with 256-bit vectors; from 31 wires on the JIT's code was slower,
    /// 1.3x at 32 and 6x at 64 (docs/PERFORMANCE.md, "Compiled sorting networks").
    /// </summary>
    public const int MaxWires = 30;

    /// <summary>
    /// Loads vector v (0 &lt;= v &lt; vectors) of each row, <c>rows[r] + v * T.Count</c>, with NaN
    /// as +Infinity, applies the network, and stores rank r (low &lt;= r &lt;= high) at
    /// <c>scratch[r * vectors + v]</c>, the interpreted kernel's layout.
    /// </summary>
    public delegate void Kernel(float** rows, T* scratch, int vectors);

    private static readonly ConcurrentDictionary<(int N, int Low, int High), Kernel> Compiled = new();

    /// <summary>
    /// The compiled kernel of <see cref="SortingNetwork.Build"/>(<paramref name="n"/>,
    /// <paramref name="low"/>, <paramref name="high"/>), storing ranks <paramref name="low"/>..<paramref name="high"/>;
    /// null where the runtime cannot compile code or the network is wider than <see cref="MaxWires"/>.
    /// </summary>
    public static Kernel? For(int n, int low, int high) =>
        n > MaxWires || !RuntimeFeature.IsDynamicCodeCompiled || CompiledNetwork.InterpretOnThisThread
            ? null
            : Compiled.GetOrAdd((n, low, high), key => Emit(key.N, key.Low, key.High));

    private static Kernel Emit(int n, int low, int high)
    {
        var network = SortingNetwork.Build(n, low, high);
        var method = new DynamicMethod(
            $"SortingNetwork{n}x{typeof(T).Name}_{low}_{high}",
            typeof(void),
            [typeof(float**), typeof(T*), typeof(int)],
            typeof(CompiledNetwork<T>).Module,
            skipVisibility: true);
        var il = method.GetILGenerator();
        var load = Method(nameof(ISimd<T>.Load));
        var nanToInfinity = Method(nameof(ISimd<T>.NaNToInfinity));
        var min = Method(nameof(ISimd<T>.Min));
        var max = Method(nameof(ISimd<T>.Max));
        var wires = Enumerable.Range(0, n).Select(_ => il.DeclareLocal(typeof(T))).ToArray();
        var held = il.DeclareLocal(typeof(T));
        var v = il.DeclareLocal(typeof(int));
        var loop = il.DefineLabel();
        var check = il.DefineLabel();

        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, v);
        il.Emit(OpCodes.Br, check);
        il.MarkLabel(loop);

        // wire r = NaNToInfinity(Load(rows[r] + v * Count))
        for (int r = 0; r < n; r++)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, r * sizeof(float*));
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Ldind_I);
            il.Emit(OpCodes.Ldloc, v);
            il.Emit(OpCodes.Ldc_I4, T.Count * sizeof(float));
            il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Call, load);
            il.Emit(OpCodes.Call, nanToInfinity);
            il.Emit(OpCodes.Stloc, wires[r]);
        }

        // (a, b) = (Min(a, b), Max(a, b)) per comparator, in the network's order.
        foreach (var (lowWire, highWire) in network)
        {
            il.Emit(OpCodes.Ldloc, wires[lowWire]);
            il.Emit(OpCodes.Stloc, held);
            il.Emit(OpCodes.Ldloc, held);
            il.Emit(OpCodes.Ldloc, wires[highWire]);
            il.Emit(OpCodes.Call, min);
            il.Emit(OpCodes.Stloc, wires[lowWire]);
            il.Emit(OpCodes.Ldloc, held);
            il.Emit(OpCodes.Ldloc, wires[highWire]);
            il.Emit(OpCodes.Call, max);
            il.Emit(OpCodes.Stloc, wires[highWire]);
        }

        // scratch[r * vectors + v] = wire r
        for (int r = low; r <= high; r++)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, r);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Ldloc, v);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Sizeof, typeof(T));
            il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Ldloc, wires[r]);
            il.Emit(OpCodes.Stobj, typeof(T));
        }

        il.Emit(OpCodes.Ldloc, v);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, v);
        il.MarkLabel(check);
        il.Emit(OpCodes.Ldloc, v);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Blt, loop);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Kernel>();
    }

    private static MethodInfo Method(string name) =>
        typeof(T).GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new MissingMethodException(typeof(T).Name, name);
}
