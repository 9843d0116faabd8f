using System.Numerics;
using System.Numerics.Tensors;

namespace ByzantineSim.Core.Numerics;

/// <summary>A weighted sum and every row's distance to it, in one pass over the rows.</summary>
public static unsafe partial class Rows
{
    /// <summary>
    /// Bytes of one stage's rows per chunk of <see cref="WeightedSumAndDistances"/>: a stage
    /// measures a chunk soon after summing it, while its rows are still in its core's cache
    /// (docs/PERFORMANCE.md).
    /// </summary>
    private const int FusedChunkBytes = 1 << 17;

    /// <summary>
    /// Below this many values (64 MB) the matrix stays in the last-level cache between two passes,
    /// which then beat the pipeline's hand-offs: the sum and the distances run one after the other.
    /// </summary>
    private const long FusedThreshold = 1 << 24;

    /// <summary>
    /// Rows a weighted sum adds per pass over a block of columns (docs/PERFORMANCE.md, twentieth
    /// session: eight streams at a time beat one per row at n = 100).
    /// </summary>
    private const int SumRowGroup = 8;

    /// <summary>
    /// destination = scale * sum_k weights[k] x_{rows[k]} + shift * addend (addend empty: no
    /// term), then distances[i] = <see cref="VectorMath.SquaredDistance"/>(x_i, destination) for
    /// every row, with the bits of <see cref="WeightedSum(RowMatrix, ReadOnlySpan{int}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, float, Span{float})"/>
    /// and SquaredDistance called one after the other, but reading the matrix from memory once instead
    /// of twice. The listed rows are cut into consecutive parts, one per core, and the columns
    /// into chunks: a pipeline in which part s adds its rows to the partial sums part s - 1 left
    /// for a chunk (each column's sum in list order, as one call makes it), and each part
    /// measures its own rows over a chunk once the last part has finished it, while they are in
    /// its cache, adding up each row's distance chunk after chunk in column order. Rows not in
    /// the list are measured at the end.
    /// </summary>
    public static void WeightedSumAndDistances(RowMatrix inputs, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, float scale, ReadOnlySpan<float> addend, float shift, Span<float> destination, Span<double> distances)
    {
        CheckSum(inputs, rows, weights, destination);
        CheckAddend(inputs, addend, destination);

        if (distances.Length != inputs.Rows)
        {
            throw new ArgumentException($"need {inputs.Rows} distances, got {distances.Length}", nameof(distances));
        }

        int n = inputs.Rows, d = inputs.Columns;
        if ((long)n * d < FusedThreshold)
        {
            WeightedSum(inputs, rows, weights, scale, addend, shift, destination);
            SquaredDistancesTo(inputs, destination, distances);
            return;
        }

        var helpers = FusedHelpers.TryTake(Math.Min(Environment.ProcessorCount, rows.Length) - 1);
        try
        {
            var sums = new Vector<float>[n];
            fixed (float* data = inputs.Data)
            fixed (float* output = destination)
            fixed (float* shifted = addend)
            fixed (int* rowList = rows)
            fixed (float* weightList = weights)
            {
                var pipeline = new FusedPipeline(
                    new FusedSum((nint)data, d, (nint)rowList, weights.IsEmpty ? 0 : (nint)weightList, scale, addend.IsEmpty ? 0 : (nint)shifted, shift, (nint)output),
                    rows,
                    n,
                    helpers,
                    sums);
                pipeline.Run();

                int whole = VectorMath.WholeVectors(d);
                var result = new ReadOnlySpan<float>(output, d);
                for (int i = 0; i < n; i++)
                {
                    var row = new ReadOnlySpan<float>(data + ((long)i * d), d);
                    distances[i] = pipeline.Measures(i)
                        ? VectorMath.FinishSquaredDistance(sums[i], row[whole..], result[whole..])
                        : VectorMath.SquaredDistance(row, result);
                }
            }
        }
        finally
        {
            FusedHelpers.Return(helpers);
        }
    }

    /// <summary>The operands of one weighted sum, fused or not, as addresses (pinned by the caller for the whole call).</summary>
    private readonly record struct FusedSum(nint Data, int Columns, nint Rows, nint Weights, float Scale, nint Addend, float Shift, nint Output)
    {
        /// <summary>
        /// Adds rows[from..to) over columns [start, end); the last part scales and adds the addend.
        /// The rows go in groups of <see cref="SumRowGroup"/>, each group over the whole range,
        /// the partial sums kept in the output between groups: a few streams from memory at a time
        /// instead of one per row. Each column's operations and their order are unchanged.
        /// </summary>
        public void Add(int from, int to, bool last, int start, int end)
        {
            for (int group = from; group < to; group += SumRowGroup)
            {
                int upTo = Math.Min(to, group + SumRowGroup);
                SumColumns((float*)Data, Columns, (int*)Rows, Weights == 0 ? null : (float*)Weights, group, upTo, last && upTo == to ? Scale : 1f, (float*)Output, start, end - start);
            }

            if (last && Addend != 0)
            {
                var target = new Span<float>((float*)Output + start, end - start);
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>((float*)Addend + start, end - start), Shift, target, target);
            }
        }

        /// <summary>Adds the squared differences of the given rows to the finished sum over columns [start, end).</summary>
        public void Measure(int[] measured, int start, int end, Vector<float>[] sums)
        {
            end = Math.Min(end, VectorMath.WholeVectors(Columns));
            if (end <= start)
            {
                return;
            }

            fixed (Vector<float>* rowSums = sums)
            {
                VectorMath.AddSquaredDifferences((float*)Data + start, Columns, measured, (float*)Output + start, end - start, rowSums);
            }
        }
    }

    /// <summary>
    /// The stages of one fused call: the last on the caller's thread, each other one on a helper
    /// thread (<see cref="FusedHelpers"/>). All run at once, since each waits for its
    /// predecessor's chunks, so none may wait for a thread-pool slot. A stage that fails stops the others.
    /// </summary>
    private sealed class FusedPipeline
    {
        private readonly FusedSum sum;
        private readonly int stages;
        private readonly int[] bounds;
        private readonly int[][] measured;
        private readonly int[] owner;
        private readonly int chunk;
        private readonly int chunks;
        private readonly Vector<float>[] sums;
        private readonly int[] progress;
        private volatile bool failed;

        private readonly FusedHelper[] helpers;

        public FusedPipeline(FusedSum sum, ReadOnlySpan<int> rows, int n, FusedHelper[] helpers, Vector<float>[] sums)
        {
            this.sum = sum;
            this.helpers = helpers;
            stages = helpers.Length + 1;
            this.sums = sums;
            int listed = rows.Length;
            bounds = [.. Enumerable.Range(0, stages + 1).Select(s => (int)((long)listed * s / stages))];

            // Each row is measured once, by the stage that first lists it.
            owner = new int[n];
            Array.Fill(owner, -1);
            var lists = Enumerable.Range(0, stages).Select(_ => new List<int>()).ToArray();
            for (int s = 0; s < stages; s++)
            {
                for (int k = bounds[s]; k < bounds[s + 1]; k++)
                {
                    if (owner[rows[k]] < 0)
                    {
                        owner[rows[k]] = s;
                        lists[s].Add(rows[k]);
                    }
                }
            }

            measured = [.. lists.Select(list => list.ToArray())];
            int widest = Enumerable.Range(0, stages).Max(s => bounds[s + 1] - bounds[s]);
            chunk = Math.Max(64, FusedChunkBytes / (sizeof(float) * Math.Max(1, widest)) / 64 * 64);
            chunks = (sum.Columns + chunk - 1) / chunk;
            progress = new int[stages];
        }

        /// <summary>True when row <paramref name="row"/>'s sums were added up by a stage (it is in the list).</summary>
        public bool Measures(int row) => owner[row] >= 0;

        public void Run()
        {
            for (int s = 0; s < helpers.Length; s++)
            {
                int stage = s;
                helpers[s].Start(() => Stage(stage));
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo? own = null;
            try
            {
                Stage(stages - 1);
            }
            catch (Exception exception)
            {
                own = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception);
            }

            // Every helper is joined before the call returns or throws: the stages read memory the
            // caller pinned. The cause is thrown, not the other stages' cancellations.
            var failures = helpers.Select(helper => helper.Join()).Prepend(own).OfType<System.Runtime.ExceptionServices.ExceptionDispatchInfo>().ToList();
            (failures.Find(failure => failure.SourceException is not StageCancelledException) ?? failures.FirstOrDefault())?.Throw();
        }

        private void Stage(int s)
        {
            try
            {
                bool last = s == stages - 1;
                int measuredChunks = 0;
                for (int c = 0; c < chunks; c++)
                {
                    int start = c * chunk, end = Math.Min(sum.Columns, start + chunk);
                    if (s > 0)
                    {
                        WaitFor(s - 1, c + 1);
                    }

                    sum.Add(bounds[s], bounds[s + 1], last, start, end);
                    Volatile.Write(ref progress[s], c + 1);

                    // Measure the chunks the last stage has finished; do not run more than two
                    // chunks ahead of them, or their rows leave the cache before being measured.
                    if (measuredChunks < c - 1)
                    {
                        WaitFor(stages - 1, measuredChunks + 1);
                    }

                    for (; measuredChunks < Volatile.Read(ref progress[stages - 1]); measuredChunks++)
                    {
                        MeasureChunk(s, measuredChunks);
                    }
                }

                for (; measuredChunks < chunks; measuredChunks++)
                {
                    WaitFor(stages - 1, measuredChunks + 1);
                    MeasureChunk(s, measuredChunks);
                }
            }
            catch
            {
                failed = true;
                throw;
            }
        }

        private void MeasureChunk(int s, int c) =>
            sum.Measure(measured[s], c * chunk, Math.Min(sum.Columns, (c + 1) * chunk), sums);

        private void WaitFor(int stage, int done)
        {
            var wait = default(SpinWait);
            while (Volatile.Read(ref progress[stage]) < done)
            {
                if (failed)
                {
                    throw new StageCancelledException();
                }

                wait.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>
    /// The helper threads of fused passes, one per core but one, started on first use and blocked
    /// while idle. One call at a time has them; a call that finds them taken runs its pass as one
    /// stage (the same bits, on its own thread).
    /// </summary>
    private static class FusedHelpers
    {
        private static readonly Lazy<FusedHelper[]> All = new(() => [.. Enumerable.Range(0, Math.Max(0, Environment.ProcessorCount - 1)).Select(_ => new FusedHelper())]);
        private static int taken;

        public static FusedHelper[] TryTake(int count)
        {
            if (count <= 0 || Interlocked.CompareExchange(ref taken, 1, 0) != 0)
            {
                return [];
            }

            return All.Value[..Math.Min(count, All.Value.Length)];
        }

        public static void Return(FusedHelper[] helpers)
        {
            if (helpers.Length > 0)
            {
                Volatile.Write(ref taken, 0);
            }
        }
    }

    /// <summary>A background thread that runs one posted stage at a time.</summary>
    private sealed class FusedHelper
    {
        private readonly SemaphoreSlim posted = new(0);
        private readonly SemaphoreSlim finished = new(0);
        private Action? work;
        private System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure;

        public FusedHelper() => new Thread(Loop) { IsBackground = true, Name = "byzsim fused pass" }.Start();

        public void Start(Action stage)
        {
            work = stage;
            posted.Release();
        }

        /// <summary>Waits for the posted stage; returns what it threw, if anything.</summary>
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Join()
        {
            finished.Wait();
            var thrown = failure;
            failure = null;
            return thrown;
        }

        private void Loop()
        {
            while (true)
            {
                posted.Wait();
                try
                {
                    work!();
                }
                catch (Exception exception)
                {
                    failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception);
                }
                finally
                {
                    work = null;
                    finished.Release();
                }
            }
        }
    }

    /// <summary>A stage stopped because another stage of the same fused pass failed.</summary>
    private sealed class StageCancelledException() : OperationCanceledException("another stage of the fused pass failed");
}
