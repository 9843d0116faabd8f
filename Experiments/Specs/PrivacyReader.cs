using Defaults = ByzantineSim.Experiments.Specs.RunReader.Defaults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>Reads a run's <c>privacy</c> mapping: client-side differential privacy.</summary>
internal static class PrivacyReader
{
    /// <summary>Reads <c>privacy</c>: (0, 0), privacy off, when absent (the reader has any errors).</summary>
    public static (double Clip, double NoiseMultiplier) Read(NodeReader reader, MappingView root)
    {
        if (root.Get("privacy") is not { } privacy || reader.Mapping(privacy, "privacy") is not { } view)
        {
            return (0, 0);
        }

        double clip = view.Scalar("clip", Defaults.PrivacyClip, v => v >= 0 ? null : "must be > 0");
        double noise = view.Scalar("noise_multiplier", Defaults.PrivacyNoise, v => v >= 0 ? null : "must be >= 0");
        // clip 0 with noise 0 is privacy off, as spec.yaml writes it, so that file reads back as the same run.
        if (clip == 0 && noise != 0)
        {
            reader.Error(view.Get("clip")!, "privacy.clip",
                $"must be > 0 when noise is added (got 0 with noise_multiplier {Canonical.Number(noise)}); clip 0 with noise_multiplier 0 turns privacy off");
        }

        view.Finish();
        return (clip, noise);
    }
}
