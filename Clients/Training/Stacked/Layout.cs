namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>
/// Where an image activation's element (client, channel, sample, y, x) lives: sample-major
/// [clients, samples, channels, h, w] (the input, and the flatten before linear layers) or
/// channel-major [clients, channels, samples, h, w] (what a convolution's product produces).
/// </summary>
internal readonly record struct Layout(bool ChannelFirst, int Channels)
{
    /// <summary>[clients, samples, channels, h, w]: the input, and the flatten before linear layers.</summary>
    public static Layout SampleMajor(int channels) => new(false, channels);

    /// <summary>[clients, channels, samples, h, w]: what a convolution's product produces.</summary>
    public static Layout ChannelMajor(int channels) => new(true, channels);

    /// <summary>Offset of plane (client, channel, sample) in units of one h x w plane.</summary>
    public long Plane(int client, int channel, int sample, int samples) =>
        ChannelFirst
            ? (((long)client * Channels) + channel) * samples + sample
            : (((long)client * samples) + sample) * Channels + channel;
}
