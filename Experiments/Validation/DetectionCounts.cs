using System.Collections.Immutable;
using ByzantineSim.Experiments.Reports;

namespace ByzantineSim.Experiments.Validation;

/// <summary>A detecting rule's verdicts of one run, summed over the rounds in which it reported (see <see cref="RunRecord.Detection"/>).</summary>
/// <param name="TruePositives">Byzantine clients flagged malicious.</param>
/// <param name="FalsePositives">Other clients flagged malicious.</param>
/// <param name="FalseNegatives">Byzantine clients not flagged.</param>
/// <param name="UnreliableFlags">Flags as unreliable.</param>
/// <param name="UnreliableHits">Of those, clients whose role is unreliable.</param>
/// <param name="UnreliableRounds">Unreliable clients times the rounds counted (the recall's denominator).</param>
public sealed record DetectionCounts(long TruePositives, long FalsePositives, long FalseNegatives, long UnreliableFlags, long UnreliableHits, long UnreliableRounds)
{
    /// <summary>
    /// Reads the counts from a run's rounds.csv and clients.csv; null when either is missing or the
    /// rule never reported (its detection columns are empty in every round).
    /// </summary>
    public static DetectionCounts? Read(string roundsPath, string clientsPath)
    {
        if (!File.Exists(roundsPath) || !File.Exists(clientsPath))
        {
            return null;
        }

        var clients = SweepResults.ReadCsv(clientsPath);
        if (clients.IsEmpty || !clients[0].Header.Contains("role"))
        {
            return null;
        }

        var unreliable = clients.Where(c => c.Text("role") == "unreliable").Select(c => c.Text("client")).ToImmutableHashSet();
        long tp = 0, fp = 0, fn = 0, flags = 0, hits = 0, rounds = 0;
        foreach (var row in SweepResults.ReadCsv(roundsPath))
        {
            if (row.Text("true_positives").Length == 0)
            {
                continue; // no verdict this round (a rule that does not detect, or a failed aggregation)
            }

            tp += long.Parse(row.Text("true_positives"), System.Globalization.CultureInfo.InvariantCulture);
            fp += long.Parse(row.Text("false_positives"), System.Globalization.CultureInfo.InvariantCulture);
            fn += long.Parse(row.Text("false_negatives"), System.Globalization.CultureInfo.InvariantCulture);
            var flagged = row.Text("flagged_unreliable").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            flags += flagged.Length;
            hits += flagged.Count(unreliable.Contains);
            rounds += unreliable.Count;
        }

        return rounds == 0 && tp + fp + fn == 0 ? null : new DetectionCounts(tp, fp, fn, flags, hits, rounds);
    }
}
