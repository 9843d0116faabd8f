using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace ByzantineSim.Experiments.Cluster;

/// <summary>
/// TLS for the cluster transport: every node presents the same PFX certificate, and a peer is
/// accepted only if it presents that very certificate (pinned by thumbprint, in both directions).
/// A self-signed certificate is therefore enough; no certificate authority is involved.
/// </summary>
/// <param name="CertificatePath">The PFX (PKCS#12) file with the private key.</param>
/// <param name="Password">Its password.</param>
public sealed record ClusterTls(string CertificatePath, string Password);

/// <summary>
/// How one node joins the cluster, turned into Akka.Cluster configuration by
/// <see cref="ToConfig"/> and <see cref="ToSetup"/>.
/// </summary>
/// <param name="Role"><see cref="CoordinatorRole"/> or <see cref="WorkerRole"/>.</param>
/// <param name="Hostname">Interface to bind and the address peers use; <value>127.0.0.1</value> by default.</param>
/// <param name="Port">TCP port; 0 picks a free one.</param>
/// <param name="Seed">The coordinator's <c>host:port</c>; null on the coordinator (its own seed).</param>
/// <param name="Tls">TLS settings, or null for plain TCP (trusted networks only).</param>
/// <param name="FailureTimeout">
/// How long a silent node is tolerated before it is marked unreachable, and how long the
/// split-brain resolver then waits before downing it.
/// </param>
/// <param name="JoinTimeout">A worker that has not joined by then gives up (null: keep trying).</param>
public sealed record ClusterNodeOptions(string Role, string Hostname, int Port, string? Seed, ClusterTls? Tls, TimeSpan FailureTimeout, TimeSpan? JoinTimeout)
{
    /// <summary>Actor system name shared by every node of a cluster.</summary>
    public const string SystemName = "byzantinesim";

    /// <summary>Role of the node that owns the sweep.</summary>
    public const string CoordinatorRole = "coordinator";

    /// <summary>Role of the nodes that execute runs.</summary>
    public const string WorkerRole = "worker";

    /// <summary>The coordinator actor's name under <c>/user</c>.</summary>
    public const string CoordinatorActorName = "coordinator";

    /// <summary>Size of the chunks large run reports are cut into (bytes).</summary>
    public const int ChunkBytes = 60 * 1024;

    /// <summary>Default coordinator port.</summary>
    public const int DefaultPort = 4053;

    /// <summary>The remote address of <paramref name="hostAndPort"/>'s actor system.</summary>
    public string AddressOf(string hostAndPort) => $"{(Tls is null ? "akka.tcp" : "akka.ssl.tcp")}://{SystemName}@{hostAndPort}";

    /// <summary>Parses <c>host:port</c>; null when malformed.</summary>
    public static string? CheckHostAndPort(string value)
    {
        int colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536
            ? null
            : $"'{value}' is not host:port";
    }

    /// <summary>The node's HOCON: remoting on one interface, cluster roles, seed, downing and serialization.</summary>
    public Config ToConfig()
    {
        string seed = AddressOf(Seed ?? $"{Hostname}:{Port}");
        double timeout = FailureTimeout.TotalSeconds;
        double heartbeat = Math.Clamp(timeout / 4, 0.2, 1);
        string join = JoinTimeout is { } limit ? Seconds(limit.TotalSeconds) : "off";
        string tls = Tls is null ? "enable-ssl = false" : $$"""
            enable-ssl = true
            ssl {
              certificate { path = {{Quote(Tls.CertificatePath)}}, password = {{Quote(Tls.Password)}} }
              suppress-validation = false
              require-mutual-authentication = true
            }
            """;
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor {
                provider = cluster
                serializers { byzsim = "{{typeof(ClusterMessageSerializer).AssemblyQualifiedName}}" }
                serialization-bindings { "{{typeof(IClusterMessage).AssemblyQualifiedName}}" = byzsim }
                serialization-identifiers { "{{typeof(ClusterMessageSerializer).AssemblyQualifiedName}}" = {{ClusterMessageSerializer.Id}} }
                # Only types with an explicit binding cross the network: no JSON fallback for
                # anything else, so a peer cannot make this node build arbitrary objects.
                serialization-settings.allow-unregistered-types = false
              }
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = {{Quote(Hostname)}}
                  port = {{Port}}
                  {{tls}}
                }
              }
              # Run reports (result files) go through reliable delivery, cut into chunks well
              # under the transport's 128 kB frame rather than raising the frame size.
              reliable-delivery.producer-controller.chunk-large-messages = {{ChunkBytes}}b
              cluster {
                roles = [{{Role}}]
                seed-nodes = [{{Quote(seed)}}]
                log-info = off
                shutdown-after-unsuccessful-join-seed-nodes = {{join}}
                failure-detector {
                  heartbeat-interval = {{Seconds(heartbeat)}}
                  acceptable-heartbeat-pause = {{Seconds(timeout)}}
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  # The coordinator is the oldest member and holds the sweep: the side without it
                  # is downed, and it is never downed for being alone (workers may all be gone).
                  active-strategy = keep-oldest
                  stable-after = {{Seconds(timeout)}}
                  keep-oldest { down-if-alone = off, role = {{CoordinatorRole}} }
                }
              }
            }
            """);
    }

    /// <summary>The programmatic TLS setup (the pinned-certificate check), or null without TLS.</summary>
    public Setup? ToSetup()
    {
        if (Tls is null)
        {
            return null;
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(Tls.CertificatePath, Tls.Password);
        if (!certificate.HasPrivateKey)
        {
            throw new CryptographicException($"{Tls.CertificatePath} holds no private key: a node needs one to prove it owns the certificate");
        }

        byte[] pinned = certificate.GetCertHash(HashAlgorithmName.SHA256);
        // Chain and name errors are expected for a self-signed certificate: identity is the
        // pinned certificate itself, and the handshake proves the peer holds its private key.
        return new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            (peer, _, _, _, _) => peer is not null && CryptographicOperations.FixedTimeEquals(peer.GetCertHash(HashAlgorithmName.SHA256), pinned));
    }

    private static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###}s");

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
