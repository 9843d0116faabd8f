namespace ByzantineSim.Core.Plugins;

/// <summary>
/// A problem found while binding a plug-in's options. <see cref="Key"/> names the offending
/// option (or "f"/"n" for a population condition, or null for the plug-in as a whole) so that
/// the configuration layer can point at the right YAML node.
/// </summary>
public sealed record PluginError(string? Key, string Message);
