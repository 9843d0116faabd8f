using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using ByzantineSim.Core.Plugins;
using ByzantineSim.Experiments.Specs;

namespace ByzantineSim;

/// <summary>
/// Plug-ins defined in user code (a script, a notebook cell, another program), registered by
/// name so that specs name them exactly like built-in ones. Each is described by the same
/// descriptor record as the built-ins (its options as <see cref="Core.Plugins.Parameter{T}"/>s
/// bound through <see cref="Core.Plugins.OptionsBinder"/>, which rejects unknown keys and
/// out-of-range values), so binding, validation, error messages and listing are the built-ins'.
/// <para>
/// Registration is explicit and process-wide: each call replaces <see cref="Catalog"/> with a
/// new frozen catalog holding one more entry; a name already taken, a built-in one included,
/// throws. A sweep reads its spec against the catalog current when it is loaded or built.
/// </para>
/// </summary>
public static class Plugins
{
    private static readonly Lock Gate = new();
    private static PluginCatalog _catalog = PluginCatalog.BuiltIn;

    /// <summary>The built-in plug-ins plus every one registered so far.</summary>
    public static PluginCatalog Catalog
    {
        get
        {
            lock (Gate)
            {
                return _catalog;
            }
        }
    }

    /// <summary>Registers an aggregation rule; specs then select it as <c>aggregator: its-name</c>.</summary>
    public static void Register(AggregatorDescriptor aggregator) => Update(catalog => catalog.With(aggregator));

    /// <summary>Registers a pre-aggregation step; specs then list it under <c>pre_aggregators</c>.</summary>
    public static void Register(PreAggregatorDescriptor preAggregator) => Update(catalog => catalog.With(preAggregator));

    /// <summary>Registers an attack; specs then select it as <c>attack: its-name</c>.</summary>
    public static void Register(AttackDescriptor attack) => Update(catalog => catalog.With(attack));

    /// <summary>Registers a model; specs then select it as <c>model: its-name</c>.</summary>
    public static void Register(PluginDescriptor<IModelDefinition> model) => Update(catalog => catalog.With(model));

    /// <summary>Registers a data set; specs then select it as <c>data: its-name</c>.</summary>
    public static void Register(PluginDescriptor<IDatasetSource> dataset) => Update(catalog => catalog.With(dataset));

    /// <summary>
    /// The plug-ins of one family (<c>aggregators</c>, <c>pre-aggregators</c>, <c>attacks</c>,
    /// <c>datasets</c>, <c>models</c>, <c>partitioners</c>, <c>compressors</c>), built-in and
    /// registered, as <c>byzsim list</c> shows them.
    /// </summary>
    public static IReadOnlyList<PluginListingRow> List(string kind) => [.. PluginListing.Rows(Catalog, kind)];

    private static void Update(Func<PluginCatalog, PluginCatalog> add)
    {
        lock (Gate)
        {
            _catalog = add(_catalog);
        }
    }
}
