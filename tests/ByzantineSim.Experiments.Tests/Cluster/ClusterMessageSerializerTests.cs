using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Delivery;
using ByzantineSim.Experiments.Cluster;

namespace ByzantineSim.Experiments.Tests.Cluster;

/// <summary>The wire format of the cluster protocol, through the serialization of a system configured as a node is.</summary>
public sealed class ClusterMessageSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create(
        "serialization",
        // The node's serialization settings, without starting remoting.
        ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(
            new ClusterNodeOptions(ClusterNodeOptions.WorkerRole, "127.0.0.1", 0, "127.0.0.1:4053", null, TimeSpan.FromSeconds(5), null).ToConfig()));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    public static TheoryData<IClusterMessage> Messages() =>
    [
        new RegisterWorker(3),
        new RunAssigned("krum-alie-0123456789ab", "seed: 1\ndata:\n  name: synthetic\n", [new AxisValue("aggregator", "krum"), new AxisValue("attack", "alie(z=1.5)")]),
        new RunAssigned("x", "", []),
        new RunFailedOnWorker("x", "données manquantes: ünïcode survives"),
        SweepFinished.Instance,
    ];

    private object RoundTrip(object message)
    {
        var serialization = _system.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        Assert.IsType<ClusterMessageSerializer>(serializer);
        byte[] bytes = serializer.ToBinary(message);
        return serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void RoundTrip_EveryMessage_ComesBackEqual(IClusterMessage message)
    {
        var back = RoundTrip(message);
        // Records with ImmutableArray members compare those by reference: compare their text instead.
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(Describe(message), Describe(back));
    }

    [Fact]
    public void RoundTrip_WorkerRegistered_ResolvesTheChannelReference()
    {
        var channel = _system.ActorOf(Props.Empty, "reports");
        var back = Assert.IsType<WorkerRegistered>(RoundTrip(new WorkerRegistered("default", channel)));
        Assert.Equal("default", back.Sweep);
        Assert.Equal(channel, back.Reports);
    }

    [Fact]
    public void NodeConfig_ReliableDelivery_ChunksReportsWellUnderTheFrameSize()
    {
        int? chunk = ProducerController.Settings.Create(_system).ChunkLargeMessagesBytes;
        Assert.Equal(ClusterNodeOptions.ChunkBytes, chunk);
        Assert.True(chunk < 128_000 / 2, "a chunk and its envelope must fit Akka.Remote's default 128 kB frame");
    }

    [Fact]
    public void RoundTrip_RunSucceeded_KeepsEveryFileByteForByteAndCompresses()
    {
        string metrics = "round,train_loss,test_accuracy\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i},{1.0 / (i + 1):R},0.{i % 97}\n"));
        var message = new RunSucceeded("run-1", "0123456789ab", [new ResultFile("metrics.csv", metrics), new ResultFile("summary.json", "{\"a\": 1}")]);
        var serializer = _system.Serialization.FindSerializerFor(message);

        byte[] bytes = serializer.ToBinary(message);
        var back = Assert.IsType<RunSucceeded>(RoundTrip(message));

        Assert.Equal(["metrics.csv", "summary.json"], back.Files.Select(f => f.Name));
        Assert.Equal(metrics, back.Files[0].Content);
        Assert.True(bytes.Length < metrics.Length / 2, $"{bytes.Length} bytes for {metrics.Length} characters of CSV");
    }

    [Fact]
    public void FindSerializer_TypeWithoutBinding_IsRefusedInsteadOfFallingBackToJson()
    {
        Assert.ThrowsAny<Exception>(() => _system.Serialization.FindSerializerFor(new NotAProtocolMessage("x")));
    }

    [Theory]
    [InlineData("run", new byte[] { 0x05, 0x41 })] // a string shorter than its length prefix
    [InlineData("reg", new byte[] { 1, 0, 0, 0, 9 })] // a trailing byte
    [InlineData("zzz", new byte[0])] // an unknown manifest
    public void FromBinary_MalformedBytes_ThrowsSerializationException(string manifest, byte[] bytes)
    {
        var serializer = new ClusterMessageSerializer((ExtendedActorSystem)_system);
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, manifest));
    }

    private static string Describe(object message) => message switch
    {
        RunAssigned a => $"{a.RunId}|{a.Spec}|{string.Join(";", a.Labels)}",
        RunSucceeded s => $"{s.RunId}|{s.SpecHash}|{string.Join(";", s.Files)}",
        _ => message.ToString()!,
    };

    private sealed record NotAProtocolMessage(string Text);
}
