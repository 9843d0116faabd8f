using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using ByzantineSim.Experiments.Cluster;

namespace ByzantineSim.Experiments.Tests.Cluster;

/// <summary>With <c>--certificate</c>, only a node presenting the cluster's certificate can join.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    // Two cheap runs; the second evaluates every round for 2500 rounds, so its result files,
    // even compressed, exceed the transport's 128 kB frame and must travel in chunks.
    private const string Spec = """
        sweep: tls
        base:
          data: { name: synthetic, classes: 2, features: 2, train_size: 200, test_size: 50 }
          model: { name: logistic }
          clients: { n: 3, f: 0 }
          training: { rounds: 20, batch_size: 4, learning_rate: 0.05, eval_every: 10 }
        cases:
          - { aggregator: mean }
          - { aggregator: median, training.rounds: 2500, training.eval_every: 1 }
        """;

    private const string Password = "correct horse";
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    private readonly string _folder = Directory.CreateTempSubdirectory("byzsim-tls-").FullName;
    private readonly List<NodeProcess> _nodes = [];

    public ClusterTlsTests()
    {
        File.WriteAllText(Path.Combine(_folder, "tls.yaml"), Spec);
        WriteSelfSigned(Path.Combine(_folder, "cluster.pfx"), "byzsim-cluster");
        WriteSelfSigned(Path.Combine(_folder, "stranger.pfx"), "byzsim-cluster"); // same name, different key
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static void WriteSelfSigned(string path, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
    }

    private NodeProcess Start(string name, params string[] args)
    {
        var node = NodeProcess.Start(name, _folder, ["cluster", .. args, "--certificate-password", Password, "--failure-timeout", "2"]);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task Join_WrongCertificateOrNoTlsRefused_RightCertificateJoinsAndRuns()
    {
        string port = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var coordinator = Start("coordinator", "coordinator", "tls.yaml", "--results", "results", "--port", port, "--certificate", "cluster.pfx");
        await coordinator.WaitForOutputAsync("(TLS); start workers with", Long);

        // A worker with another certificate (same subject, different key) and one without TLS.
        var stranger = Start("stranger", "worker", "--seed", $"127.0.0.1:{port}", "--certificate", "stranger.pfx", "--join-timeout", "5", "--trainers", "1");
        var plain = NodeProcess.Start("plain", _folder, "cluster", "worker", "--seed", $"127.0.0.1:{port}", "--join-timeout", "5", "--trainers", "1");
        _nodes.Add(plain);
        Assert.Equal(1, await stranger.WaitForExitAsync(Long));
        Assert.Equal(1, await plain.WaitForExitAsync(Long));
        Assert.Contains("could not join the cluster", stranger.Error, StringComparison.Ordinal);
        Assert.Contains("could not join the cluster", plain.Error, StringComparison.Ordinal);
        // The coordinator logs each refusal on its own schedule: under load after the workers gave up.
        await coordinator.WaitForOutputAsync("rejected by the provided RemoteCertificateValidationCallback", Long);
        await coordinator.WaitForOutputAsync("not an SSL/TLS record", Long);
        Assert.DoesNotContain("worker joined", coordinator.Output, StringComparison.Ordinal);

        var member = Start("member", "worker", "--seed", $"127.0.0.1:{port}", "--certificate", "cluster.pfx", "--trainers", "1");
        Assert.Equal(0, await member.WaitForExitAsync(Long));
        Assert.Equal(0, await coordinator.WaitForExitAsync(Long));
        Assert.Matches(@"worker joined: akka\.ssl\.tcp://byzantinesim@127\.0\.0\.1:\d+", coordinator.Output);
        Assert.Contains("2 runs completed, 0 already complete, 0 failed", coordinator.Output, StringComparison.Ordinal);
        var summaries = Directory.GetFiles(Path.Combine(_folder, "results", "tls"), "summary.json", SearchOption.AllDirectories);
        Assert.Equal(2, summaries.Length);

        // The long run's report, as the worker serialized it, did not fit one frame.
        string longRun = Path.GetDirectoryName(summaries.Single(s => s.Contains("median", StringComparison.Ordinal)))!;
        var files = Directory.GetFiles(longRun).Order(StringComparer.Ordinal)
            .Select(path => new ResultFile(Path.GetFileName(path), File.ReadAllText(path))).ToImmutableArray();
        using var system = ActorSystem.Create("size");
        byte[] report = new ClusterMessageSerializer((ExtendedActorSystem)system).ToBinary(new RunSucceeded("r", "h", files));
        Assert.True(report.Length > 128_000, $"the long run's report is only {report.Length} bytes");
        Assert.Equal(2501, File.ReadAllLines(Path.Combine(longRun, "metrics.csv")).Length - 1);
    }
}
