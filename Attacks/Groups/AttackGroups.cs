using ByzantineSim.Attacks.Poisoning;

namespace ByzantineSim.Attacks.Groups;

/// <summary>One attacker group of a mixed population: its name, its size and its attack.</summary>
/// <param name="Name">The group's name (its role in the records is <c>byzantine:Name</c>).</param>
/// <param name="Count">How many Byzantine clients the group has.</param>
/// <param name="Attack">What they do.</param>
public sealed record AttackGroup(string Name, int Count, IAttack Attack);

/// <summary>
/// Several attacker groups in one run (MUD-HoG's mixed population of sign-flipping, additive
/// noise, label-flipping and multi-label-flipping clients, Gupta, Luo, Ngo, Das, arXiv
/// 2208.10273): the Byzantine clients of a round, in id order, are cut into the groups in order
/// (the first <c>Count</c> to the first group, ...), and each group's attack crafts its rows as
/// if its group were the whole coalition (its own f, own gradients, state and random stream),
/// seeing the same honest updates. Attacks whose delivery is not normal (silent, malformed) do
/// not mix: the spec reader refuses them in a group.
/// </summary>
public sealed class AttackGroups : IAttack
{
    /// <summary>The name mixed populations show where one attack name is expected.</summary>
    public const string MixedName = "mixed";

    /// <summary>Creates the mixture; <paramref name="groups"/> keep their order.</summary>
    public AttackGroups(ImmutableArray<AttackGroup> groups)
    {
        if (groups.IsDefaultOrEmpty || groups.Any(g => g.Count < 1 || g.Attack.Delivery != AttackDelivery.Normal))
        {
            throw new ArgumentException("a mixture needs groups of at least one client whose attacks deliver normally", nameof(groups));
        }

        Groups = groups;
    }

    /// <summary>The groups, in the order they take the Byzantine ids.</summary>
    public ImmutableArray<AttackGroup> Groups { get; }

    /// <inheritdoc />
    public string Name => MixedName;

    /// <inheritdoc />
    public AttackKnowledge Requires => Groups.Aggregate(AttackKnowledge.None, (all, g) => all | g.Attack.Requires);

    /// <summary>The first group's poisoning, so that the coalition asks every identity for its own update when any group poisons.</summary>
    public DataPoisoning? Poisoning => Groups.Select(g => g.Attack.Poisoning).FirstOrDefault(p => p is not null);

    /// <summary>The first targeted group's goal: the attack success rate measures that group's target.</summary>
    public DataPoisoning? Goal => Groups.Select(g => g.Attack.Goal).FirstOrDefault(p => p is not null);

    /// <inheritdoc />
    public DataPoisoning? PoisoningOf(int index)
    {
        var (group, rank) = Locate(index);
        return group.Attack.PoisoningOf(rank);
    }

    /// <summary>The group of the <paramref name="index"/>-th Byzantine client of a round (in id order).</summary>
    public string GroupOf(int index) => Locate(index).Group.Name;

    /// <inheritdoc />
    public AttackState? Craft(in AttackContext context, Span<float> output)
    {
        int d = context.Dimension;
        var previous = (context.State as GroupStates)?.States ?? [.. new AttackState?[Groups.Length]];
        var next = new AttackState?[Groups.Length];
        bool own = context.OwnGradients.Rows == context.ByzantineCount && context.ByzantineCount > 0;
        int start = 0;
        for (int g = 0; g < Groups.Length && start < context.ByzantineCount; g++)
        {
            var group = Groups[g];
            int rows = Math.Min(group.Count, context.ByzantineCount - start);
            var slice = output.Slice(start * d, rows * d);
            var part = new AttackContext
            {
                Round = context.Round,
                Seed = Seed.Derive(context.Seed, "group", g),
                TotalClients = context.TotalClients,
                ByzantineCount = rows,
                Dimension = d,
                Parameters = context.Parameters,
                HonestUpdates = context.HonestUpdates,
                HonestIds = context.HonestIds,
                OwnGradients = own ? context.OwnGradients.Slice(start, rows) : default,
                Aggregator = context.Aggregator,
                State = previous[g],
            };
            next[g] = group.Attack.Craft(part, slice);
            if (group.Attack.SendsOneVector)
            {
                for (int k = 1; k < rows; k++)
                {
                    slice[..d].CopyTo(slice.Slice(k * d, d));
                }
            }

            start += rows;
        }

        return new GroupStates([.. next]);
    }

    private (AttackGroup Group, int Rank) Locate(int index)
    {
        int start = 0;
        foreach (var group in Groups)
        {
            if (index < start + group.Count)
            {
                return (group, index - start);
            }

            start += group.Count;
        }

        return (Groups[^1], index - start + Groups[^1].Count);
    }

    /// <summary>Each group's attack state.</summary>
    /// <param name="States">By group.</param>
    private sealed record GroupStates(ImmutableArray<AttackState?> States) : AttackState;
}
