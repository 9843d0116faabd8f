using ByzantineSim.Experiments.Results;

namespace ByzantineSim.Experiments.Cli;

/// <summary>Claims a sweep's results folder for the commands that write runs into it (<c>run</c>, <c>cluster coordinator</c>).</summary>
internal static class FolderClaim
{
    /// <summary>The folder's lock, or null after printing the one-line refusal naming its owner.</summary>
    public static ResultsLock? TryClaim(ResultsStore store)
    {
        try
        {
            return store.Claim();
        }
        catch (ResultsLockedException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return null;
        }
    }
}
