using System.Globalization;
using ByzantineSim.Experiments.Validation;

namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Fabricated inputs of the validation tests: completed run folders with known numbers, and
/// published.json texts written to a file and loaded as <c>byzsim validation</c> loads them.
/// </summary>
internal static class FabricatedStudy
{
    /// <summary>
    /// Writes a completed run into <paramref name="folder"/>: its spec.yaml, a metrics.csv of
    /// <paramref name="header"/> then <paramref name="rows"/>, and a complete summary.json.
    /// </summary>
    public static void WriteRun(string folder, string spec, string header, IEnumerable<string> rows, double seconds)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "spec.yaml"), spec);
        File.WriteAllText(Path.Combine(folder, "metrics.csv"), string.Join('\n', rows.Prepend(header)) + "\n");
        File.WriteAllText(Path.Combine(folder, "summary.json"), $$"""{ "status": "complete", "seconds": {{seconds.ToString("0.0", CultureInfo.InvariantCulture)}} }""");
    }

    /// <summary>Writes <paramref name="published"/> to <paramref name="folder"/>/<paramref name="file"/> and loads it.</summary>
    public static PublishedStudies Load(string folder, string file, string published)
    {
        string path = Path.Combine(folder, file);
        File.WriteAllText(path, published);
        return PublishedStudies.Load(path);
    }

    /// <summary>
    /// Asserts that <paramref name="published"/> with <paramref name="from"/> replaced by
    /// <paramref name="to"/> is rejected with <paramref name="problem"/> among its problems (and
    /// that the edit applies, so that the unedited text is never what is checked).
    /// </summary>
    public static void AssertEditRejected(string folder, string published, string from, string to, string problem)
    {
        Assert.Contains(from, published, StringComparison.Ordinal);
        Assert.Contains(problem, LoadProblems(folder, "bad.json", published.Replace(from, to, StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    /// <summary>Writes and loads <paramref name="published"/>, which must be rejected; returns the problems' message.</summary>
    public static string LoadProblems(string folder, string file, string published) =>
        Assert.Throws<InvalidDataException>(() => Load(folder, file, published)).Message;
}
