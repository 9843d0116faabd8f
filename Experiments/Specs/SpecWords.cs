using System.Collections.Immutable;
using ByzantineSim.Clients.Training;
using ByzantineSim.Simulator.Faults;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>What a FedAvg client sends the server each round.</summary>
public enum ClientSends
{
    /// <summary>The model delta, which the server steps with as a pseudo-gradient. The default.</summary>
    Delta,

    /// <summary>The local model itself; the server's new model is the aggregate of the models.</summary>
    Model,
}

/// <summary>
/// The YAML words of an enum-valued setting, in the order the error message lists them: the only
/// place a spec word turns into an enum value (when read) and back (in the canonical YAML).
/// </summary>
/// <typeparam name="T">The enum.</typeparam>
public sealed class SpecWords<T>
    where T : struct, Enum
{
    private readonly ImmutableArray<(string Word, T Value)> _words;

    /// <summary>Creates the table; every value of <typeparamref name="T"/> needs exactly one word.</summary>
    public SpecWords(params (string Word, T Value)[] words)
    {
        _words = [.. words];
        if (Enum.GetValues<T>().Any(v => _words.Count(w => w.Value.Equals(v)) != 1))
        {
            throw new ArgumentException($"every {typeof(T).Name} needs exactly one word", nameof(words));
        }
    }

    /// <summary>The words, in order.</summary>
    public IEnumerable<string> Words => _words.Select(w => w.Word);

    /// <summary>The rule a wrong word breaks, e.g. <c>must be average or sum</c>.</summary>
    public string Rule => "must be " + string.Join(" or ", Words);

    /// <summary>The word of <paramref name="value"/>.</summary>
    public string Word(T value) => _words.First(w => w.Value.Equals(value)).Word;

    /// <summary>The value of <paramref name="word"/>, or null when it is none of the words.</summary>
    public T? Parse(string word) => _words.Any(w => w.Word == word) ? _words.First(w => w.Word == word).Value : null;
}

/// <summary>The words of every enum-valued run setting.</summary>
public static class SpecWords
{
    /// <summary><c>training.momentum_form</c>.</summary>
    public static SpecWords<MomentumForm> MomentumForm { get; } = new(("average", Clients.Training.MomentumForm.Average), ("sum", Clients.Training.MomentumForm.Sum));

    /// <summary><c>training.algorithm</c>: D-SGD sends one gradient, FedAvg takes local steps.</summary>
    public static SpecWords<LocalMode> Algorithm { get; } = new(("dsgd", LocalMode.Gradient), ("fedavg", LocalMode.LocalSteps));

    /// <summary><c>training.send</c>.</summary>
    public static SpecWords<ClientSends> Send { get; } = new(("delta", ClientSends.Delta), ("model", ClientSends.Model));

    /// <summary><c>training.weighting</c>: equal weights, or each client's sample count.</summary>
    public static SpecWords<UpdateWeighting> Weighting { get; } = new(("none", UpdateWeighting.None), ("samples", UpdateWeighting.Samples));

    /// <summary><c>device</c>.</summary>
    public static SpecWords<ComputeDevice> Device { get; } = new(("cpu", ComputeDevice.Cpu), ("cuda", ComputeDevice.Cuda));

    /// <summary><c>faults.stragglers.delay</c>.</summary>
    public static SpecWords<DelayKind> Delay { get; } = new(("exponential", DelayKind.Exponential), ("uniform", DelayKind.Uniform), ("constant", DelayKind.Constant));

    /// <summary><c>server.non_finite</c>.</summary>
    public static SpecWords<NonFinitePolicy> NonFinite { get; } = new(("pass", NonFinitePolicy.Pass), ("exclude", NonFinitePolicy.Exclude));

    /// <summary><c>adversary.identities</c>.</summary>
    public static SpecWords<IdentityMode> Identities { get; } =
        new(("fixed", IdentityMode.Fixed), ("rotating", IdentityMode.Rotating), ("random", IdentityMode.Random));

    /// <summary><c>unreliable.degradation</c>.</summary>
    public static SpecWords<Clients.Data.DegradationKind> Degradation { get; } =
        new(("blur", Clients.Data.DegradationKind.Blur), ("downsample", Clients.Data.DegradationKind.Downsample),
            ("noise", Clients.Data.DegradationKind.Noise), ("labels", Clients.Data.DegradationKind.Labels));

    /// <summary>Where <c>server_data</c> is drawn from.</summary>
    public static SpecWords<ServerDataSource> ServerDataSource { get; } =
        new(("train", Simulator.Setup.ServerDataSource.Train), ("test-holdout", Simulator.Setup.ServerDataSource.TestHoldout));
}
