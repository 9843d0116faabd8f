using System.Globalization;
using ByzantineSim.Clients.Partitioning;
using ByzantineSim.Experiments.Yaml;

namespace ByzantineSim.Experiments.Specs;

/// <summary>
/// Reads a run's <c>label_dilution</c> mapping: uniform label noise as Rolnick et al. (2017)
/// add it, <c>alpha</c> randomly labelled examples per clean one, on <c>clients</c> (<c>all</c>,
/// the default, or the first k ids).
/// </summary>
internal static class LabelDilutionReader
{
    /// <summary>The largest alpha a spec may ask for: a 60 000-sample set then holds 60 million indices (240 MB).</summary>
    public const int MaxAlpha = 1000;

    /// <summary>
    /// Reads <c>label_dilution</c>, or null when absent or when alpha is 0 (no noise: the run is the
    /// clean one, with its id); <paramref name="clients"/> is n and <paramref name="classes"/> the
    /// data's number of classes or outputs (1 for regression, 0 when unknown before loading).
    /// </summary>
    public static LabelDilution? Read(NodeReader reader, MappingView root, int clients, int classes)
    {
        if (root.Get("label_dilution") is not { } node || reader.Mapping(node, "label_dilution") is not { } view)
        {
            return null;
        }

        int alpha = view.Scalar("alpha", 0, v => v is >= 0 and <= MaxAlpha ? null : $"must be a whole number of noisy examples per clean one, in [0, {MaxAlpha}]");
        if (view.Node["alpha"] is null)
        {
            reader.Error(view.Node, view.Path, "needs alpha, the number of randomly labelled examples added per clean one");
        }

        int? count = null;
        string clientsRule = $"must be 'all' or a number of clients in [1, {clients}]";
        if (view.Get("clients") is { } clientsNode && clientsNode is not YScalar { IsNull: false, Value: "all" })
        {
            // A word other than 'all' gets the rule itself, not "expected int".
            count = clientsNode is YScalar { IsNull: false } word && !double.TryParse(word.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? Reject(reader, word, view.PathOf("clients"), $"{clientsRule} (got {word.Value})")
                : reader.Scalar(clientsNode, view.PathOf("clients"), 1, v => v >= 1 && v <= clients ? null : clientsRule);
        }

        if (classes == 1 && view.Node["alpha"] is { } alphaNode)
        {
            reader.Error(alphaNode, view.PathOf("alpha"), "needs a classification data set: a regression set has no labels to draw at random");
        }

        bool fresh = view.Scalar("fresh_labels", false);
        view.Finish();
        return alpha == 0 ? null : new LabelDilution(alpha, count) { FreshLabels = fresh };
    }

    private static int? Reject(NodeReader reader, YNode node, string path, string message)
    {
        reader.Error(node, path, message);
        return null;
    }
}
