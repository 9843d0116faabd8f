using System.Globalization;
using System.Text.RegularExpressions;

namespace ByzantineSim.Experiments.Cli;

/// <summary>Memory sizes as people write them: <c>8GB</c>, <c>512 MB</c>, <c>24GiB</c>, <c>1e9</c> (bytes).</summary>
public static partial class MemorySize
{
    /// <summary>Bytes in <paramref name="text"/>; throws <see cref="InputException"/> naming <paramref name="option"/> otherwise.</summary>
    public static double Parse(string text, string option)
    {
        var match = Size().Match(text);
        if (!match.Success || !double.TryParse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !(number > 0))
        {
            throw new InputException($"{option}: expected a size such as 8GB, 512MB or 24GiB, got '{text}'");
        }

        double unit = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" or "K" => 1e3,
            "MB" or "M" => 1e6,
            "GB" or "G" => 1e9,
            "TB" or "T" => 1e12,
            "KIB" => 1024.0,
            "MIB" => 1024.0 * 1024,
            "GIB" => 1024.0 * 1024 * 1024,
            _ => 1024.0 * 1024 * 1024 * 1024, // TiB, the only unit left that the pattern accepts
        };
        return number * unit;
    }

    [GeneratedRegex(@"^\s*(?<number>[0-9.eE+]+)\s*(?<unit>[kKmMgGtT]i?[bB]|[kKmMgGtT]|[bB])?\s*$")]
    private static partial Regex Size();
}
