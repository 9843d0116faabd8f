using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ByzantineSim.Experiments.Tests.Cluster;

/// <summary>With <c>--certificate</c>, only a node presenting the cluster's certificate can join.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    private const string Spec = """
        sweep: tls
        base:
          data: { name: synthetic, classes: 4, features: 8, train_size: 1000, test_size: 200 }
          model: { name: logistic }
          clients: { n: 9, f: 2 }
          training: { rounds: 20, batch_size: 16, learning_rate: 0.2, eval_every: 10 }
        grid:
          aggregator: [mean, cge]
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
        Assert.Contains("rejected by the provided RemoteCertificateValidationCallback", coordinator.Output, StringComparison.Ordinal);
        Assert.Contains("not an SSL/TLS record", coordinator.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("worker joined", coordinator.Output, StringComparison.Ordinal);

        var member = Start("member", "worker", "--seed", $"127.0.0.1:{port}", "--certificate", "cluster.pfx", "--trainers", "1");
        Assert.Equal(0, await member.WaitForExitAsync(Long));
        Assert.Equal(0, await coordinator.WaitForExitAsync(Long));
        Assert.Matches(@"worker joined: akka\.ssl\.tcp://byzantinesim@127\.0\.0\.1:\d+", coordinator.Output);
        Assert.Contains("2 runs completed, 0 already complete, 0 failed", coordinator.Output, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_folder, "results", "tls"), "summary.json", SearchOption.AllDirectories).Length);
    }
}
