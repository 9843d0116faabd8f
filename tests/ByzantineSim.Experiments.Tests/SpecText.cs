namespace ByzantineSim.Experiments.Tests;

/// <summary>
/// Spec text as the spec tests write it: parsed as the file <see cref="SpecFile"/> with "\n" line
/// endings whatever the source file uses, so that error positions read the same on every system.
/// </summary>
internal static class SpecText
{
    /// <summary>The file name the errors cite.</summary>
    public const string SpecFile = "spec.yaml";

    /// <summary>The one-line errors of a spec that must fail to load.</summary>
    public static string[] Errors(string yaml)
    {
        var error = Assert.Throws<SpecException>(() => SweepLoader.Parse(yaml.ReplaceLineEndings("\n"), SpecFile));
        return [.. error.Errors.Select(e => e.ToString())];
    }

    /// <summary>The only run of a spec that loads.</summary>
    public static RunPlan Single(string yaml) => Assert.Single(SweepLoader.Parse(yaml.ReplaceLineEndings("\n"), SpecFile).Runs);
}
