namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Acts the moment a condition holds, polling from a thread of its own. Tests that interrupt a
/// sweep part-way must not poll from the thread pool: the other tests keep it busy on two cores,
/// and a kill that comes seconds late finds the sweep already finished.
/// </summary>
public static class Watch
{
    /// <summary>
    /// Polls <paramref name="condition"/> every few milliseconds and runs <paramref name="act"/> on
    /// the same thread as soon as it holds; false, without acting, after <paramref name="timeout"/>.
    /// </summary>
    public static Task<bool> ThenAsync(Func<bool> condition, Action act, TimeSpan timeout) =>
        Task.Factory.StartNew(
            () =>
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (!condition())
                {
                    if (clock.Elapsed > timeout)
                    {
                        return false;
                    }

                    Thread.Sleep(5);
                }

                act();
                return true;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
}
