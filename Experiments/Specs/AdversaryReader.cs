using System.Collections.Immutable;
using ByzantineSim.Attacks;
using ByzantineSim.Attacks.Groups;
using ByzantineSim.Experiments.Yaml;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>One attacker group of a mixed population as the spec gives it.</summary>
/// <param name="Name">The group's name (default: its attack's name).</param>
/// <param name="Count">Its number of Byzantine clients.</param>
/// <param name="Attack">Its attack.</param>
public sealed record AttackGroupSpec(string Name, int Count, PluginSpec Attack);

/// <summary>
/// Reads a run's <c>adversary</c> mapping: which clients are Byzantine in each round
/// (<c>identities: fixed | rotating | random</c> with <c>period</c>, <c>count</c> or
/// <c>fraction</c>) and, instead of one <c>attack</c>, a list of attacker <c>groups</c>.
/// </summary>
internal static class AdversaryReader
{
    /// <summary>What <c>adversary</c> says: the identity schedule (without the server's knowledge) and the groups, with their bound attacks.</summary>
    public sealed record Adversary(IdentitySettings Identities, ImmutableArray<AttackGroupSpec> Groups, AttackGroups? Attack, YNode? Node)
    {
        /// <summary>No <c>adversary</c> mapping: fixed identities, one attack.</summary>
        public static Adversary None { get; } = new(IdentitySettings.Fixed, [], null, null);
    }

    /// <summary>Reads <c>adversary</c> for n clients of which f are Byzantine; <paramref name="bind"/> binds a group's attack for its count.</summary>
    public static Adversary Read(
        NodeReader reader, MappingView root, int n, int f, Func<YNode, string, int, (PluginSpec? Spec, IAttack? Attack)> bind)
    {
        if (root.Get("adversary") is not { } node || reader.Mapping(node, "adversary") is not { } view)
        {
            return Adversary.None;
        }

        var mode = view.Word("identities", IdentityMode.Fixed, SpecWords.Identities);
        int period = view.Scalar("period", 0, v => v >= 1 ? null : "must be >= 1");
        int count = view.Scalar("count", f, v => v >= 0 && v < n ? null : $"must be in [0, {n - 1}]: at least one client stays honest (n={n})");
        double fraction = view.Scalar("fraction", 0.0, v => v is > 0 and < 1 ? null : "must be in (0, 1)");
        NotFor(reader, view, mode, "period", IdentityMode.Rotating, "rotating identities (rounds between two draws)");
        NotFor(reader, view, mode, "count", IdentityMode.Random, "random identities (Byzantine clients per round; rotating draws f = clients.f)");
        NotFor(reader, view, mode, "fraction", IdentityMode.Random, "random identities (each client's probability of being Byzantine in a round)");
        if (mode == IdentityMode.Rotating && view.Node["period"] is null)
        {
            reader.Error(view.Node, "adversary", "rotating identities need period: the number of rounds between two draws of the Byzantine set");
        }

        if (mode == IdentityMode.Rotating && f == 0)
        {
            reader.Error(view.Node["identities"] ?? view.Node, view.PathOf("identities"), "rotating identities need Byzantine clients (clients.f is 0)");
        }

        if (view.Node["count"] is { } countNode && view.Node["fraction"] is not null)
        {
            reader.Error(countNode, view.PathOf("count"), "give either count or fraction, not both");
        }

        var identities = mode switch
        {
            IdentityMode.Rotating => new IdentitySettings(mode, period, f, 0, true),
            IdentityMode.Random => new IdentitySettings(mode, 0, view.Node["fraction"] is null ? count : 0, view.Node["fraction"] is null ? 0 : fraction, true),
            _ => IdentitySettings.Fixed,
        };

        var (groups, attack) = view.Get("groups") is { } groupsNode ? ReadGroups(reader, groupsNode, view.PathOf("groups"), f, bind) : ([], null);
        if (!groups.IsEmpty && identities.Fraction > 0)
        {
            reader.Error(view.Node["fraction"]!, view.PathOf("fraction"),
                "attacker groups need a known number of Byzantine clients per round; use count (or fixed or rotating identities)");
        }
        else if (!groups.IsEmpty && identities.Mode == IdentityMode.Random && identities.Count != f)
        {
            reader.Error(view.Node["count"]!, view.PathOf("count"),
                $"with attacker groups the Byzantine clients of a round are the groups' {f} (clients.f); got count {identities.Count}");
        }

        view.Finish();
        return new Adversary(identities, groups, attack, node);
    }

    private static (ImmutableArray<AttackGroupSpec>, AttackGroups?) ReadGroups(
        NodeReader reader, YNode node, string path, int f, Func<YNode, string, int, (PluginSpec? Spec, IAttack? Attack)> bind)
    {
        if (node is not YSequence { Items.Length: > 0 } sequence)
        {
            reader.Error(node, path, $"expected a non-empty list of attacker groups ({{count: 2, attack: sign-flip}}), got {NodeReader.Describe(node)}");
            return ([], null);
        }

        var specs = ImmutableArray.CreateBuilder<AttackGroupSpec>();
        var groups = ImmutableArray.CreateBuilder<AttackGroup>();
        int errors = reader.Errors.Count;
        for (int i = 0; i < sequence.Items.Length; i++)
        {
            string itemPath = $"{path}[{i}]";
            if (reader.Mapping(sequence.Items[i], itemPath) is not { } item)
            {
                continue;
            }

            int count = item.Scalar("count", 0, v => v >= 1 ? null : "must be >= 1");
            if (item.Node["count"] is null)
            {
                reader.Error(item.Node, itemPath, "an attacker group needs count: its number of Byzantine clients");
            }

            if (item.Get("attack") is not { } attackNode)
            {
                reader.Error(item.Node, itemPath, "an attacker group needs attack: a name, or a mapping with name and options");
                item.Finish();
                continue;
            }

            var (spec, attack) = bind(attackNode, item.PathOf("attack"), Math.Max(count, 1));
            string name = item.Scalar("name", spec?.Name ?? "", v => v.Length > 0 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null : "must be a non-empty word of letters, digits, - and _");
            item.Finish();
            if (attack is not null && attack.Delivery != AttackDelivery.Normal)
            {
                reader.Error(attackNode, item.PathOf("attack"), $"{attack.Name} does not send vectors as crafted, so it cannot share a round with other groups");
            }

            if (specs.Any(s => s.Name == name))
            {
                reader.Error(item.Node["name"] ?? item.Node, item.PathOf("name"), $"two groups are named '{name}'; give each group its own name");
            }

            if (spec is not null && attack is not null)
            {
                specs.Add(new AttackGroupSpec(name, count, spec));
                groups.Add(new AttackGroup(name, count, attack));
            }
        }

        int total = specs.Sum(s => s.Count);
        if (reader.Errors.Count == errors && total != f)
        {
            reader.Error(node, path, $"the groups' counts add up to {total}, but clients.f is {f}: they must be equal");
        }

        return reader.Errors.Count > errors ? ([], null) : (specs.ToImmutable(), new AttackGroups(groups.ToImmutable()));
    }

    /// <summary>Reports <paramref name="key"/> when given for a mode it does not apply to.</summary>
    private static void NotFor(NodeReader reader, MappingView view, IdentityMode mode, string key, IdentityMode applies, string what)
    {
        if (mode != applies && view.Node[key] is { } misplaced)
        {
            reader.Error(misplaced, view.PathOf(key), $"applies only to {what}; identities is {SpecWords.Identities.Word(mode)}");
        }
    }
}
