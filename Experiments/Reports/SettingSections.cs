namespace ByzantineSim.Experiments.Reports;

/// <summary>
/// The report's sections that repeat per setting (a value of the axes other than rule, attack
/// and seed): a heading when there is more than one setting, and the figure-id slug and title
/// suffix that name it.
/// </summary>
internal static class SettingSections
{
    /// <summary>Calls <paramref name="write"/> with each setting, its slug and its suffix, after the setting's heading.</summary>
    public static void ForEach(HtmlPage page, SweepAnalysis analysis, Action<string, string, string> write)
    {
        bool several = analysis.Settings.Length > 1;
        foreach (string setting in analysis.Settings)
        {
            if (several)
            {
                page.Heading(setting);
            }

            write(setting, several ? "-" + StaticFigures.Slug(setting) : "", setting.Length > 0 ? $" ({setting})" : "");
        }
    }
}
