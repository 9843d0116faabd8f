using System.Globalization;

namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// Series colours that stay distinguishable under the common colour-vision deficiencies: the
/// Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), ordered so that the first
/// colours are the most separated on white. Beyond eight series colours repeat with another dash.
/// </summary>
public static class Palette
{
    private static readonly string[] Colours =
    [
        "#0072B2", // blue
        "#D55E00", // vermillion
        "#009E73", // bluish green
        "#CC79A7", // reddish purple
        "#E69F00", // orange
        "#56B4E9", // sky blue
        "#000000", // black
        "#F0E442", // yellow: last, it is faint on white
    ];

    private static readonly string[] Dashes = ["solid", "dash", "dot", "dashdot"];

    /// <summary>The colour of series <paramref name="index"/> as <c>#RRGGBB</c>.</summary>
    public static string Colour(int index) => Colours[index % Colours.Length];

    /// <summary>The Plotly dash style of series <paramref name="index"/>.</summary>
    public static string Dash(int index) => Dashes[index / Colours.Length % Dashes.Length];

    /// <summary>The colour of series <paramref name="index"/> as CSS <c>rgba()</c> with the given opacity.</summary>
    public static string Translucent(int index, double alpha)
    {
        string hex = Colour(index);
        int r = Convert.ToInt32(hex[1..3], 16), g = Convert.ToInt32(hex[3..5], 16), b = Convert.ToInt32(hex[5..7], 16);
        return string.Create(CultureInfo.InvariantCulture, $"rgba({r},{g},{b},{alpha})");
    }

    /// <summary>The colour of series <paramref name="index"/> for ScottPlot.</summary>
    public static ScottPlot.Color ScottColour(int index) => ScottPlot.Color.FromHex(Colour(index));
}
