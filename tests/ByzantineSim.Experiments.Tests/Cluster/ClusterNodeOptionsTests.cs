using ByzantineSim.Experiments.Cluster;

namespace ByzantineSim.Experiments.Tests.Cluster;

public sealed class ClusterNodeOptionsTests
{
    private static ClusterNodeOptions Worker(ClusterTls? tls = null) =>
        new(ClusterNodeOptions.WorkerRole, "10.1.2.3", 0, "10.1.2.4:4053", tls, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

    [Fact]
    public void ToConfig_Worker_BindsTheGivenInterfaceAndJoinsTheSeed()
    {
        var config = Worker().ToConfig();

        Assert.Equal("10.1.2.3", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(0, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.False(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.Equal(["akka.tcp://byzantinesim@10.1.2.4:4053"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(["worker"], config.GetStringList("akka.cluster.roles"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes"));
    }

    [Fact]
    public void ToConfig_Coordinator_IsItsOwnSeedAndKeptBySplitBrainResolution()
    {
        var config = new ClusterNodeOptions(ClusterNodeOptions.CoordinatorRole, "127.0.0.1", 4053, null, null, TimeSpan.FromSeconds(3), null).ToConfig();

        Assert.Equal(["akka.tcp://byzantinesim@127.0.0.1:4053"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", config.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-oldest", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("coordinator", config.GetString("akka.cluster.split-brain-resolver.keep-oldest.role"));
        Assert.False(config.GetBoolean("akka.cluster.split-brain-resolver.keep-oldest.down-if-alone"));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.False(config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types"));
    }

    [Fact]
    public void ToConfig_WithTls_UsesTheSslSchemeAndMutualAuthentication()
    {
        var config = Worker(new ClusterTls("/certs/cluster \"a\".pfx", "p\\w")).ToConfig();

        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.ssl.require-mutual-authentication"));
        Assert.False(config.GetBoolean("akka.remote.dot-netty.tcp.ssl.suppress-validation"));
        Assert.Equal("/certs/cluster \"a\".pfx", config.GetString("akka.remote.dot-netty.tcp.ssl.certificate.path"));
        Assert.Equal("p\\w", config.GetString("akka.remote.dot-netty.tcp.ssl.certificate.password"));
        Assert.Equal(["akka.ssl.tcp://byzantinesim@10.1.2.4:4053"], config.GetStringList("akka.cluster.seed-nodes"));
    }

    [Theory]
    [InlineData("10.0.0.5:4053", true)]
    [InlineData("host.example:1", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData(":4053", false)]
    [InlineData("10.0.0.5:0", false)]
    [InlineData("10.0.0.5:70000", false)]
    [InlineData("10.0.0.5:-1", false)]
    public void CheckHostAndPort_AcceptsOnlyHostColonPort(string value, bool valid) =>
        Assert.Equal(valid, ClusterNodeOptions.CheckHostAndPort(value) is null);

    [Fact]
    public void ToSetup_Tls_RefusesACertificateWithoutPrivateKey()
    {
        string path = Path.Combine(Path.GetTempPath(), $"byzsim-nokey-{Guid.NewGuid():N}.pfx");
        try
        {
            using var key = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=nokey", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.RawData);
            File.WriteAllBytes(path, publicOnly.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));

            var error = Assert.Throws<System.Security.Cryptography.CryptographicException>(() => Worker(new ClusterTls(path, "pw")).ToSetup());
            Assert.Contains("no private key", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
