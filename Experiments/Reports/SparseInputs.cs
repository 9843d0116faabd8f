using System.Collections.Immutable;
using System.Globalization;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// The report's warning for runs whose honest rows are sparse (a top-k or DGC compressor) while
/// their rule takes coordinate-wise order statistics: at a coordinate that fewer than half the
/// honest clients sent, the median of the honest values is 0, so such a rule discards most of
/// what was sent, and dense Byzantine rows decide the rest (docs/ALGORITHMS.md, section 5).
/// </summary>
public static class SparseInputs
{
    /// <summary>Compressors whose output is zero on all but a share of the coordinates.</summary>
    public static readonly ImmutableHashSet<string> Sparsifying = [Clients.Compression.TopKCompressor.RegistryName, Clients.Compression.DgcCompressor.RegistryName];

    /// <summary>Rules built on a coordinate-wise median or trimmed mean.</summary>
    public static readonly ImmutableHashSet<string> CoordinateWise = ["median", "trimmed-mean", "meamed", "bulyan"];

    /// <summary>A warning callout naming the affected runs, when there are any.</summary>
    public static void Callout(HtmlPage page, SweepResults results)
    {
        var affected = Affected(results).ToList();
        if (affected.Count == 0)
        {
            return;
        }

        string runs = string.Join(", ", affected.Select(a => $"{a.Id} ({a.Rule} on {a.Compressor})"));
        page.Callout(
            string.Create(CultureInfo.InvariantCulture, $"{affected.Count} {(affected.Count == 1 ? "run aggregates" : "runs aggregate")} sparse updates with a coordinate-wise rule: {runs}. ") +
            "Each honest row is zero except on the coordinates its client chose, so the coordinate-wise median or trimmed mean is 0 wherever fewer than half the honest clients sent that coordinate: the rule keeps little of what was sent, its robustness bound assumes dense inputs, and dense Byzantine rows decide the coordinates few honest clients sent. Compare such runs with the same rule uncompressed.",
            "warning");
    }

    /// <summary>The complete runs of <paramref name="results"/> that pair a sparsifying compressor with a coordinate-wise rule.</summary>
    public static IEnumerable<(string Id, string Rule, string Compressor)> Affected(SweepResults results)
    {
        foreach (var run in results.Runs)
        {
            string path = Path.Combine(results.Folder, run.Id, Results.ResultsStore.SpecFile);
            if (!File.Exists(path))
            {
                continue;
            }

            string spec = File.ReadAllText(path);
            string rule = SectionName(spec, "aggregator");
            string compressor = SectionName(spec, "compression");
            if (Sparsifying.Contains(compressor) && CoordinateWise.Contains(rule))
            {
                yield return (run.Id, rule, compressor);
            }
        }
    }

    // spec.yaml is canonical (RunSpec.ToCanonicalYaml): "section:\n  name: value" for plug-ins.
    private static string SectionName(string spec, string section)
    {
        bool inside = false;
        foreach (string line in spec.Split('\n'))
        {
            if (!line.StartsWith(' '))
            {
                inside = line == section + ":";
            }
            else if (inside && line.StartsWith("  name: ", StringComparison.Ordinal))
            {
                return line["  name: ".Length..].Trim();
            }
        }

        return "";
    }
}
