using System.Collections.Immutable;
using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Testing;

/// <summary>What <see cref="AggregatorLaws.Check"/> found.</summary>
/// <param name="Rule">The rule checked.</param>
/// <param name="Scenarios">Random populations drawn.</param>
/// <param name="Applicable">Of those, the ones whose n the rule accepts (the others test nothing).</param>
/// <param name="Failures">Every broken law, one line each, naming the scenario.</param>
public sealed record LawReport(string Rule, int Scenarios, int Applicable, ImmutableArray<string> Failures)
{
    /// <summary>True when no law broke and at least one scenario applied.</summary>
    public bool Passed => Failures.IsEmpty && Applicable > 0;

    /// <summary>Throws <see cref="InvalidOperationException"/> listing the failures unless <see cref="Passed"/>.</summary>
    public void ThrowIfFailed()
    {
        if (!Passed)
        {
            throw new InvalidOperationException(ToString());
        }
    }

    /// <inheritdoc />
    public override string ToString() => Applicable == 0
        ? $"{Rule}: accepted none of the {Scenarios} populations; no law was checked"
        : Failures.IsEmpty
            ? $"{Rule}: every law holds on {Applicable} of {Scenarios} populations" + (Applicable < Scenarios ? " (the others have an n it refuses)" : "")
            : $"{Rule}: {Failures.Length} law failures on {Applicable} populations:" + string.Concat(Failures.Take(20).Select(f => $"{Environment.NewLine}  - {f}"));
}

/// <content>The law suite as one call, for rules written outside the test projects.</content>
public static partial class AggregatorLaws
{
    private static readonly int[] Dimensions = [1, 2, 3, 7, 16, 17, 40];

    /// <summary>
    /// Runs the laws the built-in rules are held to over <paramref name="scenarios"/> random
    /// populations drawn from <paramref name="seed"/> (the ranges of <see cref="AggregatorArbitraries"/>:
    /// f in 0..3, n from 2f + 1 to 4f + 7, d up to 40, Byzantine rows of every
    /// <see cref="ByzantineKind"/>, NaN and 1e38 included): permutation invariance, agreement with
    /// the honest value when honest rows coincide, finite output; and, when <paramref name="kappa"/>
    /// is given, the (f, kappa)-robustness inequality on finite populations. Deterministic: the
    /// same arguments give the same report.
    /// </summary>
    public static LawReport Check(RuleUnderTest rule, int scenarios = 300, ulong seed = 1, double? kappa = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(scenarios, 1);
        var random = new DeterministicRandom(seed);
        var kinds = Enum.GetValues<ByzantineKind>();
        var failures = ImmutableArray.CreateBuilder<string>();
        int applicable = 0;
        for (int i = 0; i < scenarios; i++)
        {
            int f = random.Next(4);
            int n = (2 * f) + 1 + random.Next((2 * f) + 7);
            var scenario = new AggregatorScenario(n, f, Dimensions[random.Next(Dimensions.Length)], random.NextUInt64(), kinds[random.Next(kinds.Length)], random.Next(3) == 0);
            if (!rule.Create(f).Accepts(n))
            {
                continue;
            }

            applicable++;
            string?[] verdicts =
            [
                PermutationInvariance(rule, scenario),
                Agreement(rule, scenario),
                FiniteOutput(rule, scenario),
                kappa is { } k && !scenario.NonFinite && !scenario.Agreeing ? Robustness(rule, k, scenario) : null,
            ];
            failures.AddRange(verdicts.OfType<string>().Select(v => $"{v} [{scenario}]"));
        }

        return new LawReport(rule.ToString(), scenarios, applicable, failures.ToImmutable());
    }
}
