using System.Collections.Immutable;

namespace ByzantineSim.Experiments.Reports;

/// <summary>One run's accuracy curves, as the selection reads them.</summary>
/// <param name="Setting">Its setting: the values of the axes that are neither rule, attack, seed nor tuned.</param>
/// <param name="Rule">Its rule (aggregator and pre-aggregators, without tuned axes).</param>
/// <param name="Candidate">Its values of the tuned axes.</param>
/// <param name="Attack">Its attack.</param>
/// <param name="Rounds">Evaluated rounds, ascending.</param>
/// <param name="Validation">Validation accuracy at each of <paramref name="Rounds"/>.</param>
/// <param name="Test">Test accuracy at each of <paramref name="Rounds"/>.</param>
public sealed record SelectionRun(
    string Setting, string Rule, string Candidate, string Attack,
    ImmutableArray<double> Rounds, ImmutableArray<double> Validation, ImmutableArray<double> Test);

/// <summary>How the chosen candidate did under one attack.</summary>
/// <param name="Attack">The attack.</param>
/// <param name="Round">The round where the mean validation accuracy over seeds peaked.</param>
/// <param name="Validation">That peak.</param>
/// <param name="Test">The mean test accuracy over seeds at that round.</param>
public sealed record AttackOutcome(string Attack, double Round, double Validation, double Test);

/// <summary>The candidate chosen for one rule in one setting.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="Rule">The rule.</param>
/// <param name="Candidate">The chosen values of the tuned axes.</param>
/// <param name="WorstValidation">Its worst case over attacks of the peak mean validation accuracy: the quantity maximised.</param>
/// <param name="WorstTest">Its worst test accuracy over attacks, each at the round of that attack's validation peak.</param>
/// <param name="WorstAttack">The attack of <paramref name="WorstTest"/>.</param>
/// <param name="Attacks">Each attack's outcome at the chosen candidate.</param>
/// <param name="Scores">Every candidate's worst validation accuracy, in sweep order.</param>
public sealed record Selection(
    string Setting, string Rule, string Candidate, double WorstValidation, double WorstTest, string WorstAttack,
    ImmutableArray<AttackOutcome> Attacks, ImmutableArray<(string Candidate, double WorstValidation)> Scores);

/// <summary>
/// Hyperparameter selection against the worst case, the evaluation protocol of ByzFL's benchmark
/// (<c>find_best_hyperparameters</c> in <c>byzfl/benchmark/evaluate_results.py</c>): for each rule
/// in each setting and each candidate value of the tuned axes (learning rate, a rule's option,
/// ...), the validation accuracy is averaged over seeds at each evaluation, its peak over the
/// evaluations is taken for each attack, and the candidate whose lowest peak over the attacks is
/// highest is chosen (the first in sweep order on a tie). The test accuracy is then reported at
/// the chosen candidate, for each attack at the round of its validation peak, so the test set
/// plays no part in the choice. Means over seeds leave out a seed whose value is not finite (it
/// diverged); a value with no finite seed counts as accuracy 0.
/// </summary>
public static class WorstCaseSelection
{
    /// <summary>
    /// The selection for every (setting, rule) of <paramref name="runs"/>. A candidate is
    /// considered only when it has runs under every attack of its setting and rule.
    /// </summary>
    public static ImmutableArray<Selection> Select(IEnumerable<SelectionRun> runs)
    {
        var selections = ImmutableArray.CreateBuilder<Selection>();
        foreach (var group in runs.GroupBy(r => (r.Setting, r.Rule)))
        {
            var attacks = group.Select(r => r.Attack).Distinct().ToList();
            var scored = group.GroupBy(r => r.Candidate)
                .Where(c => attacks.All(a => c.Any(r => r.Attack == a)))
                .Select(c => (Candidate: c.Key, Outcomes: attacks.Select(a => Peak(a, [.. c.Where(r => r.Attack == a)])).ToImmutableArray()))
                .Select(c => (c.Candidate, c.Outcomes, Worst: c.Outcomes.Min(o => Zero(o.Validation))))
                .ToList();
            if (scored.Count == 0)
            {
                continue;
            }

            var best = scored[0];
            foreach (var candidate in scored.Skip(1))
            {
                if (candidate.Worst > best.Worst)
                {
                    best = candidate;
                }
            }

            var worstTest = best.Outcomes.MinBy(o => Zero(o.Test))!;
            selections.Add(new Selection(group.Key.Setting, group.Key.Rule, best.Candidate, best.Worst, Zero(worstTest.Test), worstTest.Attack,
                best.Outcomes, [.. scored.Select(c => (c.Candidate, WorstValidation: c.Worst))]));
        }

        return selections.ToImmutable();
    }

    /// <summary>Mean over seeds at each round, then the round of the highest mean validation accuracy (the first on a tie).</summary>
    private static AttackOutcome Peak(string attack, List<SelectionRun> seeds)
    {
        var rounds = seeds.SelectMany(s => s.Rounds).Distinct().Order().ToList();
        AttackOutcome? peak = null;
        foreach (double round in rounds)
        {
            double validation = Stat.Of(seeds.Select(s => At(s, s.Validation, round))).Mean;
            double test = Stat.Of(seeds.Select(s => At(s, s.Test, round))).Mean;
            if (peak is null || Zero(validation) > Zero(peak.Validation))
            {
                peak = new AttackOutcome(attack, round, validation, test);
            }
        }

        return peak ?? new AttackOutcome(attack, double.NaN, double.NaN, double.NaN);
    }

    private static double At(SelectionRun run, ImmutableArray<double> values, double round)
    {
        int index = run.Rounds.IndexOf(round);
        return index < 0 ? double.NaN : values[index];
    }

    private static double Zero(double value) => double.IsFinite(value) ? value : 0;
}
