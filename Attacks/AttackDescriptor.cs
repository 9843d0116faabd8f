namespace ByzantineSim.Attacks;

/// <summary>Registry entry of an attack.</summary>
/// <param name="Name">Kebab-case YAML name.</param>
/// <param name="Summary">One line on what the Byzantine clients send.</param>
/// <param name="Requires">Knowledge it needs (validated against the threat model).</param>
/// <param name="Reference">Where it comes from.</param>
/// <param name="Parameters">Options with defaults.</param>
/// <param name="Create">
/// Binds options for a population; may return null only after recording an error on the binder.
/// </param>
public sealed record AttackDescriptor(
    string Name,
    string Summary,
    AttackKnowledge Requires,
    string Reference,
    ImmutableArray<IParameter> Parameters,
    Func<OptionsBinder, AttackPopulation, IAttack?> Create) : IPluginDescriptor;

/// <summary>The population an attack is configured for.</summary>
/// <param name="TotalClients">n, honest plus Byzantine.</param>
/// <param name="ByzantineCount">f.</param>
/// <param name="Classes">
/// Number of label classes of the run's data set, for data poisoning (0 when unknown: attacks
/// that need it report an error).
/// </param>
/// <param name="SampleShape">
/// Shape of one sample of the run's data set, for triggers (default or empty when unknown:
/// backdoor attacks then report an error).
/// </param>
public readonly record struct AttackPopulation(int TotalClients, int ByzantineCount, int Classes = 0, ImmutableArray<int> SampleShape = default);
