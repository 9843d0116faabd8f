using MathNet.Numerics.Distributions;

namespace ByzantineSim.Attacks.Alie;

/// <summary>Options of <see cref="AlieAttack"/>.</summary>
/// <param name="Z">Fixed z in mean - z * std. <value>null: computed by <paramref name="Formula"/></value></param>
/// <param name="Tau">ByzFL's form mean + tau * std; exclusive with <paramref name="Z"/>. <value>null</value></param>
/// <param name="Formula">
/// How z is computed when neither is given: <c>paper</c> uses s = floor(n/2 + 1) - f and
/// z = Phi^-1((n - s)/n); <c>epfl</c> uses Phi^-1((n - f - s)/(n - f)). <value>paper</value>
/// </param>
public sealed record AlieOptions(double? Z, double? Tau, string Formula)
{
    /// <summary>The <c>z</c> option.</summary>
    public static readonly Parameter<double?> ZParameter = new(
        "z", null, "fixed z in mean - z * std", DefaultDescription: "from formula");

    /// <summary>The <c>tau</c> option.</summary>
    public static readonly Parameter<double?> TauParameter = new(
        "tau", null, "ByzFL's form: mean + tau * std (exclusive with z)", DefaultDescription: "none");

    /// <summary>The <c>formula</c> option.</summary>
    public static readonly Parameter<string> FormulaParameter = new(
        "formula", "paper", "automatic z: the paper's or EPFL-ML's variant", Choices: ["paper", "epfl"]);

    /// <summary>Binds the options; the automatic z must exist for the population (a quantile strictly inside (0, 1)).</summary>
    public static AlieOptions Bind(OptionsBinder binder, AttackPopulation population)
    {
        var options = new AlieOptions(binder.Get(ZParameter), binder.Get(TauParameter), binder.Get(FormulaParameter));
        if (options.Z is not null && options.Tau is not null)
        {
            binder.Error(TauParameter.Name, "give either z or tau, not both");
        }
        else if (options.Z is null && options.Tau is null && population.ByzantineCount > 0)
        {
            double p = options.Quantile(population.TotalClients, population.ByzantineCount);
            if (!(p > 0 && p < 1))
            {
                binder.Error(FormulaParameter.Name,
                    $"the {options.Formula} formula gives no z for n={population.TotalClients}, f={population.ByzantineCount} (quantile {p:R}); give z or tau");
            }
        }

        return options;
    }

    /// <summary>
    /// The normal quantile level of the automatic z: (n - s)/n in the paper, (n - f - s)/(n - f)
    /// in EPFL-ML, with s = floor(n/2 + 1) - f the supporters an attacker needs.
    /// </summary>
    public double Quantile(int n, int f)
    {
        int s = (n / 2) + 1 - f;
        return Formula == "epfl" ? (double)(n - f - s) / (n - f) : (double)(n - s) / n;
    }

    /// <summary>
    /// The signed factor c such that the attack sends mean + c * std, for n clients of which f
    /// are Byzantine. Baruch et al. (NeurIPS 2019): s = floor(n/2 + 1) - f supporters are needed.
    /// </summary>
    public double Factor(int n, int f)
    {
        if (Tau is { } tau)
        {
            return tau;
        }

        if (Z is { } z)
        {
            return -z;
        }

        return -Normal.InvCDF(0, 1, Quantile(n, f));
    }
}
