namespace ByzantineSim.Experiments.Tests;

/// <summary>The run folders of a sweep's results folder.</summary>
internal static class RunFolders
{
    /// <summary>
    /// Names of the folders that hold a run (a spec.yaml), in ordinal order; the report's
    /// figures/ folder and anything else beside the runs are left out.
    /// </summary>
    public static List<string> Of(string sweepFolder) =>
        [.. Directory.GetDirectories(sweepFolder)
            .Where(d => File.Exists(Path.Combine(d, "spec.yaml")))
            .Select(d => Path.GetFileName(d))
            .Order(StringComparer.Ordinal)];
}
