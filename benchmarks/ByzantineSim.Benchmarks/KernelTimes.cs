using System.Diagnostics;
using System.Globalization;
using ByzantineSim.Aggregators.Numerics;

namespace ByzantineSim.Benchmarks;

/// <summary>
/// <c>kernel-times --n N --d D --rules a,b,...</c>: times each rule on one n x d standard normal
/// float32 matrix (f = n / 5) with the method of the ByzFL side of <c>benchmarks/peers/</c>, so
/// that both sides are measured alike: one warm-up call, then calls until 3 s have passed, or
/// until 5 were made and 0.5 s have passed (at most 101 calls; one only when the warm-up took
/// over 2 s), and the median: about a hundred calls for a fast kernel, five for a slow one. Prints one line per rule,
/// <c>kernel-time RULE N D SECONDS CALLS</c>, or <c>kernel-refused RULE N D REASON</c> when the
/// rule refuses the size. The rule <c>gram</c> (<see cref="GramKernel"/>) times the Gram kernel
/// alone; <c>read</c> (<see cref="ReadPass"/>) and <c>copy</c> (<see cref="CopyPass"/>) are the
/// floors of a bandwidth-bound rule and of a pre-aggregator (which writes an n x d output),
/// measured in the same process. Far fewer repetitions than <see cref="AggregatorBenchmarks"/>:
/// it is the quick side-by-side, not the reference figure. With <c>--known-norms</c> the rules
/// are given the rows' norms, measured before the timing, as the server gives them
/// (<see cref="AggregationContext.RowNorms"/>: each update's producer measured it), a rule that
/// measures rows against its state (<see cref="IMeasuresRowsOnArrival"/>, centered clipping)
/// starts from the state of a first call and is given the rows' measures against it, as the server
/// takes them when the updates arrive, and the lines name the rule <c>RULE(known-norms)</c>.
/// A rule's options follow its name: <c>centered-clipping:iterations=3:tau=10</c>. With
/// <c>--cold</c> each timed call starts with the matrix out of the caches (an untimed pass over
/// 256 MB of other memory before it), as a round's close finds the updates after the trainers'
/// passes. With <c>--rounds R</c> the rules are timed in turn instead, R rounds of a short batch
/// each (about 50 ms), so that the VM's drift over minutes falls on all of them (a loss of memory
/// bandwidth still slows the read more than a rule that also computes): a rule's time is the
/// median over the rounds of its batches' medians, and each rule after the first also gets a line
/// <c>kernel-ratio RULE N D MEDIAN LOW HIGH</c>, its time over the first rule's in the same
/// round (median, least and greatest over the rounds), e.g. against <c>read</c>.
/// </summary>
public static class KernelTimes
{
    /// <summary>
    /// The pseudo-rule that times the pairwise dot-product kernel alone (<see cref="Gram.Compute"/>,
    /// n (n + 1) / 2 dot products of length d), the core of the distance rules.
    /// </summary>
    public const string GramKernel = "gram";

    /// <summary>
    /// The pseudo-rule that reads every value of the matrix once (a sum per row, the rows shared
    /// between the cores as the rules share them), the time a bandwidth-bound rule cannot beat.
    /// </summary>
    public const string ReadPass = "read";

    /// <summary>Untimed runs of <see cref="ReadPass"/> (one warm-up and up to five calls each) before the first rule.</summary>
    private const int WarmUpPasses = 4;

    /// <summary>
    /// The pseudo-rule that copies the matrix into an n x d output, row by row on both cores: the
    /// floor of a pre-aggregator, which reads its input and writes an output of the same size.
    /// </summary>
    public const string CopyPass = "copy";

    /// <summary>Parses the options, times every rule and prints the lines.</summary>
    public static int Run(string[] args)
    {
        int n = CommandLine.IntOption(args, "--n") ?? throw new ArgumentException("kernel-times needs --n");
        int d = CommandLine.IntOption(args, "--d") ?? throw new ArgumentException("kernel-times needs --d");
        int at = Array.IndexOf(args, "--rules");
        if (at < 0 || at + 1 >= args.Length)
        {
            throw new ArgumentException("kernel-times needs --rules a,b,...");
        }

        var inputs = Data.StandardNormal(n, d, 1);
        Action? evict = null;
        if (args.Contains("--cold"))
        {
            // Each timed call starts with the matrix out of the caches, as a round's close finds it
            // after the trainers' passes: an untimed pass over 256 MB of other memory before it.
            var other = new float[1 << 26];
            evict = () => Parallel.For(0, 16, i => other.AsSpan(i << 22, 1 << 22).Fill(i));
        }

        var norms = ReadOnlyMemory<double>.Empty;
        if (args.Contains("--known-norms"))
        {
            var measured = new double[n];
            Rows.Norms(new RowMatrix(inputs, n, d), measured);
            norms = measured;
        }

        // Untimed passes before the first rule: the process's first parallel calls (thread pool,
        // tiered JIT) are slower for a dozen calls, and would otherwise fall on whichever rule is
        // timed first. ByzFL's side does the same (byzfl_aggregators.py).
        for (int pass = 0; pass < WarmUpPasses; pass++)
        {
            _ = Time(Prepare(ReadPass, inputs, n, d, norms), n, d, evict);
        }

        var rules = args[at + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (CommandLine.IntOption(args, "--rounds") is int rounds)
        {
            // Every rule's inputs and outputs live at once here; one after the other, each rule's
            // go before the next rule's are made.
            foreach (string line in Interleaved([.. rules.Select(rule => Prepare(rule, inputs, n, d, norms))], n, d, rounds, evict))
            {
                Console.WriteLine(line);
            }

            return 0;
        }

        foreach (string rule in rules)
        {
            Console.WriteLine(Time(Prepare(rule, inputs, n, d, norms), n, d, evict));
        }

        return 0;
    }

    /// <summary>A rule made ready to time: its label and one call, or the line saying why it refuses the size.</summary>
    private sealed record Prepared(string Label, Action? Call, string? Refused);

    /// <summary>One call of <paramref name="rule"/> on the n x d matrix <paramref name="values"/>, ready to time.</summary>
    private static Prepared Prepare(string rule, float[] values, int n, int d, ReadOnlyMemory<double> norms)
    {
        int f = n / 5;
        var context = new AggregationContext(0, 1, null) { RowNorms = norms };
        string label = norms.IsEmpty ? rule : $"{rule}(known-norms)";
        Action call;
        if (rule == GramKernel)
        {
            var gram = new double[n * n];
            call = () => Gram.Compute(new RowMatrix(values, n, d), gram);
        }
        else if (rule == ReadPass)
        {
            var sums = new float[n];
            call = () => Parallel.For(0, n, i => sums[i] = System.Numerics.Tensors.TensorPrimitives.Sum(values.AsSpan(i * d, d)));
        }
        else if (rule == CopyPass)
        {
            var copy = new float[values.Length];
            call = () => Parallel.For(0, n, i => values.AsSpan(i * d, d).CopyTo(copy.AsSpan(i * d, d)));
        }
        else if (BuiltInAggregators.PreAggregators.TryGet(rule, out _))
        {
            var pre = BuiltInAggregators.CreatePreAggregator(rule, f);
            var output = new float[(long)pre.OutputRows(n) * d];
            call = () => pre.Apply(new RowMatrix(values, n, d), output, context);
        }
        else
        {
            var parts = rule.Split(':');
            var options = parts.Skip(1).Select(option => option.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : throw new ArgumentException($"option '{pair[0]}' of {rule} needs a value (key=value)"));
            var aggregator = BuiltInAggregators.Create(parts[0], f, options);
            if (!aggregator.Accepts(n))
            {
                return new Prepared(label, null, Invariant($"kernel-refused {label} {n} {d} requires {aggregator.Requirement}"));
            }

            // A stateful rule's state comes from a pool and is retired at once, as in the server
            // (ByzFL's side builds a fresh instance per call: both start from no state).
            var output = new float[d];
            var pool = new PayloadPool(1L << 26);
            if (!norms.IsEmpty && aggregator is IMeasuresRowsOnArrival measured)
            {
                // As the server runs it from the second round: from the state of a first call,
                // given each row's measure against it, taken as the rows arrived.
                var state = aggregator.Aggregate(new RowMatrix(values, n, d), output, context);
                var measure = measured.ArrivalMeasure(state, d);
                var measures = measure is null ? [] : Enumerable.Range(0, n).Select(i => measure(values.AsSpan(i * d, d))).ToArray();
                context = context with { State = state, ArrivalMeasures = measures };
            }

            var callContext = context with { StatePool = pool };
            call = () => aggregator.Aggregate(new RowMatrix(values, n, d), output, callContext)?.Retire();
        }

        return new Prepared(label, call, null);
    }

    /// <summary>
    /// The result line of one prepared rule; <paramref name="evict"/>, when given, runs untimed
    /// before each timed call (<c>--cold</c>).
    /// </summary>
    private static string Time(Prepared rule, int n, int d, Action? evict)
    {
        if (rule.Call is not { } call)
        {
            return rule.Refused!;
        }

        string label = rule.Label;
        try
        {
            var watch = Stopwatch.StartNew();
            call();
            double warmUp = watch.Elapsed.TotalSeconds;
            var times = new List<double>();
            var budget = Stopwatch.StartNew();
            do
            {
                evict?.Invoke();
                watch.Restart();
                call();
                times.Add(watch.Elapsed.TotalSeconds);
            }
            while (warmUp <= 2 && budget.Elapsed.TotalSeconds < 3
                && (times.Count < 5 || (budget.Elapsed.TotalSeconds < 0.5 && times.Count < 101)));

            return Invariant($"kernel-time {label} {n} {d} {Median(times):R} {times.Count}");
        }
        catch (AggregationException refused)
        {
            return RefusedLine(label, n, d, refused);
        }
    }

    /// <summary>
    /// The lines of <c>--rounds</c>: every rule timed in turn, <paramref name="rounds"/> times, a
    /// batch of calls of about 50 ms each (sized by three warm-up calls, 1 to 100 calls).
    /// </summary>
    private static IEnumerable<string> Interleaved(List<Prepared> rules, int n, int d, int rounds, Action? evict)
    {
        // Per rule, by its place in the list (a rule may be listed twice): its refusal, or its batch size.
        var lines = rules.Select(rule => rule.Refused).ToArray();
        var batch = new int[rules.Count];
        for (int r = 0; r < rules.Count; r++)
        {
            if (rules[r].Call is not { } call)
            {
                continue;
            }

            try
            {
                // The fastest of three calls sizes the batch: the first pays for the JIT.
                double fastest = double.MaxValue;
                for (int warmUp = 0; warmUp < 3; warmUp++)
                {
                    var watch = Stopwatch.StartNew();
                    call();
                    fastest = Math.Min(fastest, watch.Elapsed.TotalSeconds);
                }

                batch[r] = (int)Math.Clamp(0.05 / Math.Max(fastest, 1e-6), 1, 100);
            }
            catch (AggregationException exception)
            {
                lines[r] = RefusedLine(rules[r].Label, n, d, exception);
            }
        }

        var timed = Enumerable.Range(0, rules.Count).Where(r => batch[r] > 0).ToList();
        var medians = rules.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            foreach (int r in timed)
            {
                var times = new List<double>();
                for (int call = 0; call < batch[r]; call++)
                {
                    evict?.Invoke();
                    var watch = Stopwatch.StartNew();
                    rules[r].Call!();
                    times.Add(watch.Elapsed.TotalSeconds);
                }

                medians[r].Add(Median(times));
            }
        }

        for (int r = 0; r < rules.Count; r++)
        {
            yield return lines[r] ?? Invariant($"kernel-time {rules[r].Label} {n} {d} {Median(medians[r]):R} {rounds * batch[r]}");
        }

        foreach (int r in timed.Skip(1))
        {
            var first = medians[timed[0]];
            var ratios = medians[r].Select((time, round) => time / first[round]).ToList();
            yield return Invariant($"kernel-ratio {rules[r].Label} {n} {d} {Median(ratios):R} {ratios.Min():R} {ratios.Max():R}");
        }
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The reason goes on one line: the harness reads it back as the table's cell.</summary>
    private static string RefusedLine(string label, int n, int d, AggregationException refused) =>
        Invariant($"kernel-refused {label} {n} {d} {refused.Message.ReplaceLineEndings(" ")}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
