namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// A tiny peer-to-peer sweep through the CLI: its files carry the spread over peers, each peer's
/// accuracy, the consensus distance and the Byzantine peer's messages, and its report plots the worst peer and the consensus distance.
/// </summary>
public sealed class PeerSweepTests
{
    private static readonly string Spec = TinySpec.Head("peers", train: 1000, test: 200, n: 8, f: 1, rounds: 4, evalEvery: 2) + """
          topology: { name: ring }
          attack: dissensus
        grid:
          aggregator: [mean, clipped-gossip]
        """;

    [Fact]
    public async Task PeerSweep_RecordsPeersAndMessages_AndItsReportPlotsThem()
    {
        string folder = Directory.CreateTempSubdirectory("byzsim-peers-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "peers.yaml"), Spec);
            var run = await CliProcess.RunAsync(folder, "run", "peers.yaml", "--plain");
            Assert.True(run.ExitCode == 0, run.Output + run.Error);

            string results = Path.Combine(folder, "results", "peers");
            var runs = Directory.GetDirectories(results).Where(d => File.Exists(Path.Combine(d, "metrics.csv"))).ToList();
            Assert.Equal(2, runs.Count);
            foreach (string runFolder in runs)
            {
                var metrics = File.ReadAllLines(Path.Combine(runFolder, "metrics.csv"));
                Assert.Equal("round,train_loss,test_accuracy,test_loss,aggregated,peer_accuracy_min,peer_accuracy_max,consensus_distance", metrics[0]);
                Assert.Equal(4, metrics.Length); // header, rounds 0, 2, 4

                // Each honest peer's accuracy at each evaluation (7 peers x rounds 0, 2, 4): its lowest
                // and highest are metrics.csv's, the same doubles.
                var peers = File.ReadAllLines(Path.Combine(runFolder, "peers.csv"));
                Assert.Equal("round,peer,test_accuracy", peers[0]);
                Assert.Equal(1 + (3 * 7), peers.Length);
                foreach (string row in metrics.Skip(1))
                {
                    var m = row.Split(',');
                    var own = peers.Skip(1).Select(p => p.Split(',')).Where(p => p[0] == m[0]).ToList();
                    Assert.Equal(Enumerable.Range(0, 7).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), own.Select(p => p[1]));
                    var accuracies = own.Select(p => double.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                    Assert.Equal(double.Parse(m[5], System.Globalization.CultureInfo.InvariantCulture), accuracies.Min());
                    Assert.Equal(double.Parse(m[6], System.Globalization.CultureInfo.InvariantCulture), accuracies.Max());
                }

                // The Byzantine peer (id 7) sends its two honest neighbours (0 and 6) one vector each per round.
                var messages = File.ReadAllLines(Path.Combine(runFolder, "messages.csv"));
                Assert.Equal("round,from,to,norm,distance_to_receiver,fingerprint", messages[0]);
                Assert.Equal(["0,7,0", "0,7,6"], messages.Skip(1).Take(2).Select(m => string.Join(',', m.Split(',')[..3])));
                Assert.Equal(1 + (4 * 2), messages.Length);
                Assert.False(File.Exists(Path.Combine(runFolder, "bristle.csv"))); // Bristle's integrator weights only

                // The ring it ran on: the Byzantine peer at position 0 (the top), between honest peers 0 and 6.
                var topology = File.ReadAllLines(Path.Combine(runFolder, "topology.csv"));
                Assert.Equal("first_round,peer,role,x,y,neighbours", topology[0]);
                Assert.Equal(1 + 8, topology.Length);
                Assert.Equal("0,7,byzantine,0,1,0 6", topology[8]);
                Assert.Equal("0,0,honest,0.707107,0.707107,1 7", topology[1]);
            }

            string report = await File.ReadAllTextAsync(Path.Combine(results, "report.html"));
            Assert.Contains("Consensus distance", report, StringComparison.Ordinal);
            Assert.Contains("Worst honest peer", report, StringComparison.Ordinal);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(results, "figures"), "consensus*.png"));
            // One graph for both runs (same ring): its figure, with seven honest peers and one Byzantine.
            Assert.Contains("ring: 8 peers, 1 Byzantine", report, StringComparison.Ordinal);
            Assert.Contains("Degree 2-2; 2 of 7 honest peers have a Byzantine neighbour (at most 1).", report, StringComparison.Ordinal);
            Assert.Single(Directory.GetFiles(Path.Combine(results, "figures"), "topology-*.png"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
