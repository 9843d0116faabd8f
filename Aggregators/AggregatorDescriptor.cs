namespace ByzantineSim.Aggregators;

/// <summary>
/// Registry entry of an aggregation rule: its documentation and a factory that binds raw options.
/// </summary>
/// <param name="Name">Kebab-case YAML name.</param>
/// <param name="Summary">One line on what it computes.</param>
/// <param name="Requirement">Condition on n and f, e.g. "n > 2f + 2".</param>
/// <param name="Reference">The paper (authors, venue, year, arXiv id) or "baseline".</param>
/// <param name="Parameters">Options with defaults (the common option <c>f</c> is added by the registry).</param>
/// <param name="Create">Binds options from the binder for a rule tolerating f Byzantine inputs.</param>
public sealed record AggregatorDescriptor(
    string Name,
    string Summary,
    string Requirement,
    string Reference,
    ImmutableArray<IParameter> Parameters,
    Func<OptionsBinder, int, IAggregator> Create) : IPluginDescriptor;

/// <summary>Registry entry of a pre-aggregation step.</summary>
/// <param name="Name">Kebab-case YAML name.</param>
/// <param name="Description">One line on what it does.</param>
/// <param name="Requirement">Condition on n and f, e.g. "n > 2f".</param>
/// <param name="Reference">The paper it comes from.</param>
/// <param name="Parameters">Options with defaults.</param>
/// <param name="Create">Binds options for a pipeline tolerating f Byzantine inputs.</param>
public sealed record PreAggregatorDescriptor(
    string Name,
    string Description,
    string Requirement,
    string Reference,
    ImmutableArray<IParameter> Parameters,
    Func<OptionsBinder, int, IPreAggregator> Create) : IPluginDescriptor
{
    /// <summary>The description followed by the condition, so that every listing shows both.</summary>
    public string Summary => $"{Description}. Requires {Requirement}";
}
