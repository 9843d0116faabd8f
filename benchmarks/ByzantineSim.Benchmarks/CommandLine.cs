using System.Globalization;

namespace ByzantineSim.Benchmarks;

/// <summary>The options of the hand-timed benchmark modes.</summary>
internal static class CommandLine
{
    /// <summary>The integer after <paramref name="name"/> in <paramref name="args"/>, or null when the option is absent or has no value.</summary>
    public static int? IntOption(string[] args, string name) =>
        Array.IndexOf(args, name) is int at && at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : null;
}
