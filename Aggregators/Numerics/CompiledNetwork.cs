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
/// does neither. A wider network is compiled in blocks of <see cref="BlockWires"/> wires for its
/// first stages and interpreted for the rest (<see cref="Plan"/>). The comparators, their order on
/// each wire and the lane operations are the interpreted ones, so every column comes out with the
/// same bits.
/// </summary>
/// <typeparam name="T">The vector width.</typeparam>
internal static unsafe class CompiledNetwork<T>
    where T : unmanaged, ISimd<T>
{
    /// <summary>
    /// Widest network compiled whole. Up to 30 wires the compiled kernel took 0.55-0.65x the
    /// interpreted one's time, with 512- and with 256-bit vectors; from 31 wires on the JIT's code
    /// was slower, 1.3x at 32 and 6x at 64 (docs/PERFORMANCE.md, "Compiled sorting networks").
    /// </summary>
    public const int MaxWires = 30;

    /// <summary>
    /// Wires per block of a network wider than <see cref="MaxWires"/>: its first stages, which
    /// sort aligned blocks of 16 wires each, run compiled one block at a time.
    /// </summary>
    public const int BlockWires = 16;

    /// <summary>
    /// Loads vector v (0 &lt;= v &lt; vectors) of each of the kernel's rows, <c>rows[r] + v * T.Count</c>,
    /// with NaN as +Infinity, applies the kernel's comparators, and stores the wires it was built to
    /// store, rank r at <c>scratch[r * vectors + v]</c>, the interpreted kernel's layout.
    /// </summary>
    public delegate void Kernel(float** rows, T* scratch, int vectors);

    /// <summary>
    /// How <paramref name="Network"/> runs: its <paramref name="Kernels"/> one after the other (each
    /// on its own wires), then the <paramref name="Rest"/> of its comparators interpreted over the
    /// scratch buffer.
    /// </summary>
    /// <param name="Network">The whole network, for a block the kernels cannot take (a partial last vector).</param>
    /// <param name="Kernels">The compiled part.</param>
    /// <param name="Rest">The comparators left to interpret, in order.</param>
    public sealed record Plan((int Low, int High)[] Network, Kernel[] Kernels, (int Low, int High)[] Rest);

    private static readonly ConcurrentDictionary<(int N, int Low, int High), Plan> Compiled = new();

    /// <summary>
    /// The plan of <see cref="SortingNetwork.Build"/>(<paramref name="n"/>, <paramref name="low"/>,
    /// <paramref name="high"/>), which leaves ranks <paramref name="low"/>..<paramref name="high"/> in
    /// the scratch buffer: up to <see cref="MaxWires"/> wires one kernel for the whole network; wider,
    /// one kernel per block of <see cref="BlockWires"/> for the comparators before the first that
    /// joins two blocks, and the rest interpreted. Null where the runtime cannot compile code.
    /// </summary>
    public static Plan? For(int n, int low, int high) =>
        !RuntimeFeature.IsDynamicCodeCompiled || CompiledNetwork.InterpretOnThisThread
            ? null
            : Compiled.GetOrAdd((n, low, high), key => Build(key.N, key.Low, key.High));

    private static Plan Build(int n, int low, int high)
    {
        var network = SortingNetwork.Build(n, low, high);
        if (n <= MaxWires)
        {
            return new Plan(network, [Emit(0, n, network, low, high)], []);
        }

        // Comparators on disjoint wires commute: those of one block may run before the next
        // block's, in their own order, with the same bits.
        int prefix = Array.FindIndex(network, c => c.Low / BlockWires != c.High / BlockWires);
        prefix = prefix < 0 ? network.Length : prefix;
        var kernels = new List<Kernel>();
        for (int first = 0; first < n; first += BlockWires)
        {
            int wires = Math.Min(BlockWires, n - first);
            var own = network[..prefix].Where(c => c.Low / BlockWires == first / BlockWires).ToArray();
            kernels.Add(Emit(first, wires, own, first, first + wires - 1));
        }

        return new Plan(network, [.. kernels], network[prefix..]);
    }

    /// <summary>
    /// A kernel over rows <paramref name="firstRow"/>..<paramref name="firstRow"/> + <paramref name="wires"/> - 1
    /// applying <paramref name="network"/> (comparators of those rows, in order) and storing ranks
    /// <paramref name="storeFrom"/>..<paramref name="storeTo"/>.
    /// </summary>
    private static Kernel Emit(int firstRow, int wires, (int Low, int High)[] network, int storeFrom, int storeTo)
    {
        var method = new DynamicMethod(
            $"SortingNetwork{typeof(T).Name}_rows{firstRow}to{firstRow + wires - 1}_store{storeFrom}to{storeTo}",
            typeof(void),
            [typeof(float**), typeof(T*), typeof(int)],
            typeof(CompiledNetwork<T>).Module,
            skipVisibility: true);
        var il = method.GetILGenerator();
        var load = Method(nameof(ISimd<T>.Load));
        var nanToInfinity = Method(nameof(ISimd<T>.NaNToInfinity));
        var min = Method(nameof(ISimd<T>.Min));
        var max = Method(nameof(ISimd<T>.Max));
        var locals = Enumerable.Range(0, wires).Select(_ => il.DeclareLocal(typeof(T))).ToArray();
        var held = il.DeclareLocal(typeof(T));
        var v = il.DeclareLocal(typeof(int));
        var loop = il.DefineLabel();
        var check = il.DefineLabel();

        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, v);
        il.Emit(OpCodes.Br, check);
        il.MarkLabel(loop);

        // wire r = NaNToInfinity(Load(rows[r] + v * Count))
        for (int r = firstRow; r < firstRow + wires; r++)
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
            il.Emit(OpCodes.Stloc, locals[r - firstRow]);
        }

        // (a, b) = (Min(a, b), Max(a, b)) per comparator, in the network's order.
        foreach (var (lowRow, highRow) in network)
        {
            var lowWire = locals[lowRow - firstRow];
            var highWire = locals[highRow - firstRow];
            il.Emit(OpCodes.Ldloc, lowWire);
            il.Emit(OpCodes.Stloc, held);
            il.Emit(OpCodes.Ldloc, held);
            il.Emit(OpCodes.Ldloc, highWire);
            il.Emit(OpCodes.Call, min);
            il.Emit(OpCodes.Stloc, lowWire);
            il.Emit(OpCodes.Ldloc, held);
            il.Emit(OpCodes.Ldloc, highWire);
            il.Emit(OpCodes.Call, max);
            il.Emit(OpCodes.Stloc, highWire);
        }

        // scratch[r * vectors + v] = wire r
        for (int r = storeFrom; r <= storeTo; r++)
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
            il.Emit(OpCodes.Ldloc, locals[r - firstRow]);
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
