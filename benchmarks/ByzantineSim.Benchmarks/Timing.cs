using System.Diagnostics;

namespace ByzantineSim.Benchmarks;

/// <summary>Timing of the hand-timed benchmark modes (<c>eval-batch</c>, <c>stacked</c>).</summary>
internal static class Timing
{
    /// <summary>
    /// Runs <paramref name="work"/> <paramref name="passes"/> times and returns the least wall-clock
    /// time and the least process CPU time of one pass, in seconds: the best of N, which on a shared
    /// machine is the figure least disturbed by other load.
    /// </summary>
    public static (double WallSeconds, double CpuSeconds) BestOf(int passes, Action work)
    {
        double best = double.MaxValue, bestCpu = double.MaxValue;
        for (int pass = 0; pass < passes; pass++)
        {
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            work();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds);
        }

        return (best, bestCpu);
    }
}
