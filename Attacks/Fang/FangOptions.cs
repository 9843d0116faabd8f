namespace ByzantineSim.Attacks.Fang;

/// <summary>
/// Options of Fang et al.'s attacks (Fang, Cao, Jia, Gong, USENIX Security 2020, arXiv 1911.11815).
/// </summary>
/// <param name="Partial">
/// Partial knowledge: the Byzantine clients see only their own benign updates and estimate the
/// honest ones from them; full knowledge (the default) sees every honest update of the round.
/// </param>
/// <param name="Threshold">Krum attack: the search stops once lambda falls below this. <value>1e-5</value></param>
/// <param name="Stretch">Trimmed-mean attack, full knowledge: the factor b of the sampling intervals. <value>2</value></param>
public sealed record FangOptions(bool Partial, double Threshold, double Stretch)
{
    /// <summary>What the attacks read as the benign updates: the Byzantine clients' own gradients with partial knowledge, else the honest updates.</summary>
    public AttackKnowledge BenignKnowledge => Partial ? AttackKnowledge.OwnGradients : AttackKnowledge.HonestUpdates;

    /// <summary>The <c>knowledge</c> option.</summary>
    public static readonly Parameter<string> KnowledgeParameter = new(
        "knowledge", "full", "full: every honest update; partial: only the Byzantine clients' own benign updates", Choices: ["full", "partial"]);

    /// <summary>The <c>threshold</c> option of <c>fang-krum</c>.</summary>
    public static readonly Parameter<double> ThresholdParameter = new(
        "threshold", 1e-5, "lambda below which the halving stops (the paper's 1e-5)", Checks.PositiveFinite);

    /// <summary>The <c>b</c> option of <c>fang-trim</c>.</summary>
    public static readonly Parameter<double> StretchParameter = new(
        "b", 2.0, "full knowledge: values are drawn from [w, b w] or [w / b, w] beyond the honest extreme w (the paper's b = 2)", v => v > 1 && double.IsFinite(v) ? null : "must be a finite number > 1");

    /// <summary>Binds the options of <c>fang-krum</c>; its simulated Krum needs n &gt; 2f + 2.</summary>
    public static FangOptions BindKrum(OptionsBinder binder, AttackPopulation population)
    {
        var options = new FangOptions(binder.Get(KnowledgeParameter) == "partial", binder.Get(ThresholdParameter), 2);
        int n = population.TotalClients, f = population.ByzantineCount;
        if (f > 0 && n <= (2 * f) + 2)
        {
            binder.Error(null, $"fang-krum crafts against Krum, which needs n > 2f + 2 (n={n}, f={f})");
        }

        return options;
    }

    /// <summary>Binds the options of <c>fang-trim</c>.</summary>
    public static FangOptions BindTrim(OptionsBinder binder) =>
        new(binder.Get(KnowledgeParameter) == "partial", 1e-5, binder.Get(StretchParameter));
}
