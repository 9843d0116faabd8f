namespace ByzantineSim.Core.Plugins;

/// <summary>
/// Checks shared by plug-in options and spec keys (for <see cref="Parameter{T}.Check"/> and the
/// spec readers): each returns null for an acceptable value, otherwise the rule it breaks, worded
/// the same wherever it is used.
/// </summary>
public static class Checks
{
    /// <summary>Accepts a finite number greater than 0.</summary>
    public static string? PositiveFinite(double value) => value > 0 && double.IsFinite(value) ? null : "must be a finite number > 0";

    /// <summary>Accepts a finite number of at least 0.</summary>
    public static string? NonNegativeFinite(double value) => value >= 0 && double.IsFinite(value) ? null : "must be a finite number >= 0";
}
