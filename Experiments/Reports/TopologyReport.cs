using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Experiments.Results;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// The report's section on peer-to-peer runs' communication graphs, drawn from each run's
/// <c>topology.csv</c>: one figure per distinct graph of the sweep (the first draw of a
/// time-varying one), honest and Byzantine peers coloured apart. Sweeps without peer-to-peer
/// runs have no such files and no section.
/// </summary>
internal static class TopologyReport
{
    // More distinct graphs than this (a seed axis over random graphs) are summarised by the first ones.
    private const int MostFigures = 6;

    /// <summary>The section, when some run of the sweep was peer-to-peer.</summary>
    public static void Section(HtmlPage page, SweepAnalysis analysis)
    {
        var graphs = new List<(string Key, GraphFigure Figure, string Caption)>();
        int distinct = 0;
        foreach (var run in analysis.Results.Runs)
        {
            string folder = Path.Combine(analysis.Results.Folder, run.Id);
            string path = Path.Combine(folder, ResultsStore.TopologyFile);
            if (!File.Exists(path) || SweepResults.ReadCsv(path) is not { IsEmpty: false } rows)
            {
                continue;
            }

            string first = rows[0].Text("first_round");
            var peers = rows.Where(r => r.Text("first_round") == first).ToImmutableArray();
            string key = string.Join('\n', peers.Select(r => $"{r.Text("role")};{r.Text("x")};{r.Text("y")};{r.Text("neighbours")}"));
            if (graphs.Any(g => g.Key == key))
            {
                continue;
            }

            distinct++;
            if (graphs.Count < MostFigures)
            {
                graphs.Add((key, Figure(folder, peers, graphs.Count), Caption(peers, rows.Select(r => r.Text("first_round")).Distinct().Count())));
            }
        }

        if (graphs.Count == 0)
        {
            return;
        }

        page.Section("topology", "Communication graphs");
        page.Paragraph(
            "Who talks to whom in the peer-to-peer runs (each run's topology.csv): honest peers in blue, Byzantine peers in vermillion; " +
            "a ring and the exponential graph are drawn in ring order, a torus on its grid." +
            (distinct > graphs.Count ? $" The first {graphs.Count} of {distinct} distinct graphs are shown." : ""));
        foreach (var (_, figure, caption) in graphs)
        {
            page.Figure(figure, caption);
        }
    }

    private static GraphFigure Figure(string runFolder, ImmutableArray<CsvRow> peers, int index)
    {
        string spec = Path.Combine(runFolder, ResultsStore.SpecFile);
        string topology = (File.Exists(spec) ? SweepResults.SpecValue(File.ReadAllText(spec), "topology", "name") : null) ?? "graph";
        int byzantine = peers.Count(p => p.Text("role") == "byzantine");
        var nodes = peers.Select(p => new GraphNode(
            p.Number("x"),
            p.Number("y"),
            $"peer {p.Text("peer")} ({p.Text("role")}), {Neighbours(p).Length} neighbours",
            p.Text("role") == "byzantine"));
        var edges = peers.SelectMany(p => Neighbours(p).Where(q => q > Peer(p)).Select(q => (Peer(p), q)));
        return new GraphFigure(
            $"topology-{index + 1}-{StaticFigures.Slug(topology)}",
            $"{topology}: {peers.Length} peers, {byzantine} Byzantine",
            [.. nodes],
            [.. edges]);
    }

    // Degrees and the honest peers that hear from a Byzantine neighbour, which bound what a local rule must filter.
    private static string Caption(ImmutableArray<CsvRow> peers, int draws)
    {
        var byzantine = peers.Where(p => p.Text("role") == "byzantine").Select(Peer).ToHashSet();
        var honest = peers.Where(p => !byzantine.Contains(Peer(p))).ToList();
        var degrees = peers.Select(p => Neighbours(p).Length).ToList();
        int exposed = honest.Count(p => Neighbours(p).Any(byzantine.Contains));
        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"Degree {degrees.Min()}-{degrees.Max()}; {exposed} of {honest.Count} honest peers have a Byzantine neighbour (at most {honest.Select(p => Neighbours(p).Count(byzantine.Contains)).DefaultIfEmpty(0).Max()}).");
        return draws > 1 ? $"{text} Time-varying: the graph of round 0, the first of {draws} draws." : text;
    }

    private static int Peer(CsvRow row) => int.Parse(row.Text("peer"), CultureInfo.InvariantCulture);

    private static int[] Neighbours(CsvRow row) =>
        [.. row.Text("neighbours").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture))];
}
