using System.Collections.Immutable;
using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Experiments.Specs;

/// <summary>One plug-in as <c>byzsim list</c> shows it: its name, what it does, and every option it accepts.</summary>
/// <param name="Name">The YAML name.</param>
/// <param name="Description">Summary, requirement and reference, as one text.</param>
/// <param name="Parameters">Its options, the family's common ones (such as <c>f</c>) first.</param>
public sealed record PluginListingRow(string Name, string Description, ImmutableArray<IParameter> Parameters);

/// <summary>
/// The listing of each plug-in family of a <see cref="PluginCatalog"/>, shared by <c>byzsim list</c>
/// and the library, so a plug-in registered from user code lists exactly as a built-in one.
/// </summary>
public static class PluginListing
{
    /// <summary>The families, by the name <c>byzsim list</c> takes.</summary>
    public static readonly ImmutableArray<string> Kinds = ["aggregators", "pre-aggregators", "attacks", "datasets", "models", "partitioners", "compressors"];

    /// <summary>The rows of family <paramref name="kind"/> (one of <see cref="Kinds"/>), sorted by name.</summary>
    public static IEnumerable<PluginListingRow> Rows(PluginCatalog catalog, string kind) => kind switch
    {
        "aggregators" => catalog.Aggregators.All.Select(d =>
            new PluginListingRow(d.Name, $"{d.Summary}. Requires {d.Requirement}. {d.Reference}", [Aggregators.BuiltInAggregators.FParameter, .. d.Parameters])),
        "pre-aggregators" => catalog.PreAggregators.All.Select(d =>
            new PluginListingRow(d.Name, $"{d.Summary}. {d.Reference}", [Aggregators.BuiltInAggregators.FParameter, .. d.Parameters])),
        "attacks" => catalog.Attacks.All.Select(d => new PluginListingRow(d.Name, $"{d.Summary}. Needs: {d.Requires}. {d.Reference}", d.Parameters)),
        "datasets" => catalog.Datasets.All.Select(d => new PluginListingRow(d.Name, d.Summary, [.. d.Parameters, DatasetCatalog.ValidationParameter])),
        "models" => catalog.Models.All.Select(d => new PluginListingRow(d.Name, d.Summary, d.Parameters)),
        "partitioners" => catalog.Partitioners.All.Select(d => new PluginListingRow(
            d.Name, d.Summary, [PartitionerCatalog.NoisyClientsParameter, PartitionerCatalog.NoiseFractionParameter, PartitionerCatalog.ByzantineDataParameter, PartitionerCatalog.ByzantineClassesParameter, .. d.Parameters])),
        "compressors" => catalog.Compressors.All.Select(d => new PluginListingRow(d.Name, d.Summary, d.Parameters)),
        _ => throw new ArgumentException($"unknown kind '{kind}'{NameSuggestion.DidYouMean(kind, Kinds)}; known: {string.Join(", ", Kinds)}", nameof(kind)),
    };
}
