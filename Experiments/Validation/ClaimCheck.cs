using System.Collections.Immutable;
using System.Globalization;

namespace ByzantineSim.Experiments.Validation;

/// <summary>
/// One claim of a paper, checked on our cell means (in percent). Kinds:
/// <list type="bullet">
/// <item><c>within</c>: every cell of <see cref="Cells"/> is within <see cref="Points"/> of <see cref="Reference"/>.</item>
/// <item><c>below</c>: every cell is at least <see cref="Points"/> below <see cref="Reference"/>.</item>
/// <item><c>order</c>: <see cref="Order"/>, e.g. <c>a ~ b &gt; c</c>: <c>~</c> means within <see cref="Points"/>, <c>&gt;</c> strictly above.</item>
/// <item><c>raises</c>: in every pair [from, to] of <see cref="Pairs"/>, to is at least <see cref="Points"/> above from.</item>
/// <item><c>gap_shrinks</c>: in every pair [without, with], the gap of "with" to its reference cell is at most
///   <see cref="Factor"/> times the gap of "without" to its reference (or "with" is within <see cref="Points"/> of its reference).</item>
/// <item><c>near_best</c>: each cell of <see cref="Cells"/> is within <see cref="Points"/> of the best cell of <see cref="Others"/>.</item>
/// <item><c>at_least</c>: every cell is at least <see cref="Points"/> (e.g. a detection recall in percent).</item>
/// </list>
/// </summary>
/// <param name="Kind">One of the kinds above.</param>
/// <param name="Claim">The claim in words, as the report prints it.</param>
/// <param name="Cells">Cells the claim is about.</param>
/// <param name="Reference">Reference cell (within, below).</param>
/// <param name="Points">Tolerance or margin in accuracy points.</param>
/// <param name="Order">Order expression (order).</param>
/// <param name="Pairs">Cell pairs (raises, gap_shrinks).</param>
/// <param name="Factor">Gap ratio (gap_shrinks).</param>
/// <param name="Others">Competing cells (near_best).</param>
public sealed record ClaimCheck(
    string Kind,
    string Claim,
    ImmutableArray<string> Cells = default,
    string? Reference = null,
    double Points = 0,
    string? Order = null,
    ImmutableArray<ImmutableArray<string>> Pairs = default,
    double Factor = 0.5,
    ImmutableArray<string> Others = default)
{
    /// <summary>The kinds this type knows.</summary>
    public static readonly ImmutableArray<string> Kinds = ["within", "below", "order", "raises", "gap_shrinks", "near_best", "at_least"];

    private ImmutableArray<string> CellList => Cells.IsDefault ? [] : Cells;

    private ImmutableArray<string> OtherList => Others.IsDefault ? [] : Others;

    private ImmutableArray<ImmutableArray<string>> PairList => Pairs.IsDefault ? [] : Pairs;

    /// <summary>Problems of the claim's definition given the study's cell ids.</summary>
    public IEnumerable<string> Problems(IReadOnlySet<string> cellIds)
    {
        if (!Kinds.Contains(Kind))
        {
            yield return $"unknown kind '{Kind}'; known: {string.Join(", ", Kinds)}";
            yield break;
        }

        var used = UsedCells();
        if (used.Count == 0)
        {
            yield return $"{Kind} names no cells";
        }

        foreach (var unknown in used.Where(c => !cellIds.Contains(c)).Distinct())
        {
            yield return $"unknown cell '{unknown}'";
        }

        if (Kind is "within" or "below" && Reference is null)
        {
            yield return $"{Kind} needs a reference";
        }

        if (Kind == "order" && !OrderWellFormed())
        {
            yield return $"order must alternate cells and '~' or '>', got '{Order}'";
        }

        if (Kind is "raises" or "gap_shrinks" && PairList.Any(p => p.Length != 2))
        {
            yield return "every pair needs exactly two cells";
        }

        if (Kind == "near_best" && OtherList.IsEmpty)
        {
            yield return "near_best needs others";
        }
    }

    /// <summary>
    /// Checks the claim. <paramref name="mean"/> gives a cell's mean accuracy in percent (NaN when
    /// it has no runs) and <paramref name="gap"/> its gap to its reference cell in points.
    /// </summary>
    public ClaimResult Evaluate(Func<string, double> mean, Func<string, double> gap)
    {
        var parts = new List<(bool Ok, string Text)>();
        switch (Kind)
        {
            case "within":
                foreach (var cell in CellList)
                {
                    double d = mean(cell) - mean(Reference!);
                    parts.Add((Math.Abs(d) <= Points, $"{cell} {Signed(d)} vs {Reference}"));
                }

                break;
            case "below":
                foreach (var cell in CellList)
                {
                    double d = mean(Reference!) - mean(cell);
                    parts.Add((d >= Points, $"{cell} {Number(d)} below {Reference}"));
                }

                break;
            case "order":
                var tokens = OrderTokens();
                for (int i = 1; i + 1 < tokens.Count; i += 2)
                {
                    string a = tokens[i - 1], op = tokens[i], b = tokens[i + 1];
                    double d = mean(a) - mean(b);
                    bool ok = op == "~" ? Math.Abs(d) <= Points : d > 0;
                    parts.Add((ok, $"{a} ({Number(mean(a))}) {op} {b} ({Number(mean(b))})"));
                }

                break;
            case "raises":
                foreach (var pair in PairList)
                {
                    double d = mean(pair[1]) - mean(pair[0]);
                    parts.Add((d >= Points, $"{pair[0]} {Number(mean(pair[0]))} -> {pair[1]} {Number(mean(pair[1]))} ({Signed(d)})"));
                }

                break;
            case "gap_shrinks":
                foreach (var pair in PairList)
                {
                    double without = gap(pair[0]), with = gap(pair[1]);
                    bool ok = with <= Factor * without || with <= Points;
                    parts.Add((ok, $"gap {pair[0]} {Number(without)} -> {pair[1]} {Number(with)}"));
                }

                break;
            case "at_least":
                foreach (var cell in CellList)
                {
                    parts.Add((mean(cell) >= Points, $"{cell} {Number(mean(cell))} >= {Number(Points)}"));
                }

                break;
            case "near_best":
                string best = OtherList.OrderByDescending(o => double.IsNaN(mean(o)) ? double.NegativeInfinity : mean(o)).First();
                foreach (var cell in CellList)
                {
                    double d = mean(cell) - mean(best);
                    parts.Add((d >= -Points, $"{cell} {Number(mean(cell))} vs best other {best} {Number(mean(best))}"));
                }

                break;
        }

        // A cell without runs makes the claim unanswerable rather than false.
        bool missing = UsedCells().Any(c => double.IsNaN(mean(c)));
        var outcome = missing ? ClaimOutcome.NotRun : parts.All(p => p.Ok) ? ClaimOutcome.Holds : ClaimOutcome.Fails;
        return new ClaimResult(Claim, outcome, [.. parts.Select(p => (p.Ok ? "ok: " : "NO: ") + p.Text)]);
    }

    /// <summary>Every cell the claim reads.</summary>
    public List<string> UsedCells() => Kind switch
    {
        "order" => [.. OrderTokens().Where((_, i) => i % 2 == 0)],
        "raises" or "gap_shrinks" => [.. PairList.SelectMany(p => p)],
        _ => [.. CellList, .. OtherList, .. Reference is null ? Array.Empty<string>() : [Reference]],
    };

    private List<string> OrderTokens() =>
        [.. (Order ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private bool OrderWellFormed()
    {
        var tokens = OrderTokens();
        return tokens.Count >= 3 && tokens.Count % 2 == 1
            && tokens.Where((_, i) => i % 2 == 1).All(t => t is "~" or ">")
            && tokens.Where((_, i) => i % 2 == 0).All(t => t is not ("~" or ">"));
    }

    /// <summary>One decimal, invariant culture, and never "-0.0" for a value that rounds to zero.</summary>
    public static string Number(double value) => RoundedTenths(value).ToString("F1", CultureInfo.InvariantCulture);

    private static string Signed(double value) => RoundedTenths(value).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);

    // -0.04 rounds to -0.0; adding 0.0 turns negative zero into positive zero.
    private static double RoundedTenths(double value) => Math.Round(value, 1, MidpointRounding.AwayFromZero) + 0.0;
}

/// <summary>Whether a claim holds on our numbers.</summary>
public enum ClaimOutcome
{
    /// <summary>Every part of the claim holds.</summary>
    Holds,

    /// <summary>At least one part fails.</summary>
    Fails,

    /// <summary>Some cell has no completed run.</summary>
    NotRun,
}

/// <summary>A checked claim: the outcome and one line per part.</summary>
/// <param name="Claim">The claim in words.</param>
/// <param name="Outcome">Holds, fails or not run.</param>
/// <param name="Details">One line per compared pair, prefixed ok/NO.</param>
public sealed record ClaimResult(string Claim, ClaimOutcome Outcome, ImmutableArray<string> Details);
