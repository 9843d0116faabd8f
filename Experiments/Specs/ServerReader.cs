using ByzantineSim.Simulator.Setup;
using Defaults = ByzantineSim.Experiments.Specs.RunReader.Defaults;

namespace ByzantineSim.Experiments.Specs;

/// <summary>A run's <c>server</c> settings as read.</summary>
/// <param name="NonFinite">Policy for NaN/Inf updates.</param>
/// <param name="RoundTimeoutSeconds">Wall-clock safety deadline of a round.</param>
/// <param name="DeadlineSeconds">Simulated round deadline (+Infinity: none).</param>
/// <param name="DeadlineGiven">Whether the spec set a deadline (even an invalid one, already reported).</param>
internal sealed record ServerSection(NonFinitePolicy NonFinite, double RoundTimeoutSeconds, double DeadlineSeconds, bool DeadlineGiven);

/// <summary>Reads a run's <c>server</c> mapping.</summary>
internal static class ServerReader
{
    /// <summary>Reads <c>server</c>; absent keys take their defaults (the reader has any errors).</summary>
    public static ServerSection Read(NodeReader reader, MappingView root)
    {
        if (root.Get("server") is not { } server || reader.Mapping(server, "server") is not { } view)
        {
            return new ServerSection(Defaults.NonFinite, Defaults.RoundTimeoutSeconds, Defaults.DeadlineSeconds, DeadlineGiven: false);
        }

        var section = new ServerSection(
            view.Word("non_finite", Defaults.NonFinite, SpecWords.NonFinite),
            view.Scalar("round_timeout", Defaults.RoundTimeoutSeconds, v => v > 0 ? null : "must be > 0 seconds"),
            view.Scalar("deadline", Defaults.DeadlineSeconds, v => v > 0 && double.IsFinite(v) ? null : "must be a finite number > 0 of simulated seconds"),
            view.Node["deadline"] is not null);
        view.Finish();
        return section;
    }
}
