using ByzantineSim.Aggregators;
using ByzantineSim.Attacks;
using ByzantineSim.Core.Numerics;
using ByzantineSim.Core.Plugins;

namespace ByzantineSim.Library.Tests;

/// <summary>
/// Plug-ins as a user would write them outside the repository: a coordinate-wise median written
/// from scratch, a deliberately non-robust mean, and an attack with an option. Registered once
/// per test process (registration is process-wide and refuses a second registration of a name).
/// </summary>
public static class UserPlugins
{
    /// <summary>The user's robust rule.</summary>
    public const string Median = "user-median";

    /// <summary>The user's attack.</summary>
    public const string Attack = "user-reverse";

    /// <summary>The registry entry of <see cref="UserMedian"/>.</summary>
    public static AggregatorDescriptor MedianDescriptor { get; } = new(
        Median,
        "coordinate-wise median written in a test, as a user would",
        "n > 2f",
        "Yin et al., ICML 2018, arXiv 1803.01498",
        [],
        (_, f) => new UserMedian(f));

    /// <summary>The scale option of <see cref="ReverseAttack"/>.</summary>
    public static Parameter<double> ScaleParameter { get; } = new("scale", 4.0, "how many times the honest mean is sent back reversed", v => v > 0 ? null : "must be > 0");

    /// <summary>The registry entry of <see cref="ReverseAttack"/>.</summary>
    public static AttackDescriptor AttackDescriptor { get; } = new(
        Attack,
        "all send -scale * mean(honest updates)",
        AttackKnowledge.HonestUpdates,
        "a test's own attack",
        [ScaleParameter],
        (binder, _) => new ReverseAttack(binder.Get(ScaleParameter)));

    private static readonly Lazy<bool> Registered = new(() =>
    {
        Plugins.Register(MedianDescriptor!);
        Plugins.Register(AttackDescriptor!);
        return true;
    });

    /// <summary>Registers the plug-ins (once per process).</summary>
    public static void Register() => _ = Registered.Value;
}

/// <summary>Coordinate-wise median: NaN sorts below everything, so at most f NaN rows never reach the middle when n > 2f.</summary>
/// <param name="f">Byzantine inputs tolerated.</param>
public sealed class UserMedian(int f) : IAggregator
{
    /// <inheritdoc />
    public string Name => UserPlugins.Median;

    /// <inheritdoc />
    public int F => f;

    /// <inheritdoc />
    public string Requirement => "n > 2f";

    /// <inheritdoc />
    public bool Accepts(int n) => n > 2 * f;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        AggregationException.ThrowUnlessAccepted(this, inputs.Rows);

        inputs.ForEachColumn(destination, static column =>
        {
            column.Sort();
            int middle = column.Length / 2;
            return column.Length % 2 == 1 ? column[middle] : (float)((column[middle - 1] + (double)column[middle]) / 2);
        });

        return null;
    }
}

/// <summary>A rule that claims robustness but is the plain mean: the law kit must catch it.</summary>
/// <param name="f">Byzantine inputs it claims to tolerate.</param>
public sealed class PretendRobustMean(int f) : IAggregator
{
    /// <inheritdoc />
    public string Name => "pretend-robust-mean";

    /// <inheritdoc />
    public int F => f;

    /// <inheritdoc />
    public string Requirement => "n >= 1";

    /// <inheritdoc />
    public bool Accepts(int n) => n >= 1;

    /// <inheritdoc />
    public AggregatorState? Aggregate(RowMatrix inputs, Span<float> destination, in AggregationContext context)
    {
        destination[..inputs.Columns].Clear();
        for (int i = 0; i < inputs.Rows; i++)
        {
            for (int k = 0; k < inputs.Columns; k++)
            {
                destination[k] += inputs[i][k] / inputs.Rows;
            }
        }

        return null;
    }
}

/// <summary>Every Byzantine client sends -scale times the mean of the honest updates.</summary>
/// <param name="scale">How far back.</param>
public sealed class ReverseAttack(double scale) : IAttack
{
    /// <inheritdoc />
    public string Name => UserPlugins.Attack;

    /// <inheritdoc />
    public AttackKnowledge Requires => AttackKnowledge.HonestUpdates;

    /// <inheritdoc />
    public AttackState? Craft(in AttackContext context, Span<float> output)
    {
        context.Require(Requires, Name);
        var honest = context.HonestUpdates;
        int d = context.Dimension;
        for (int k = 0; k < d; k++)
        {
            double sum = 0;
            for (int i = 0; i < honest.Rows; i++)
            {
                sum += honest[i][k];
            }

            output[k] = (float)(-scale * sum / honest.Rows);
        }

        for (int row = 1; row < output.Length / d; row++)
        {
            output[..d].CopyTo(output.Slice(row * d, d));
        }

        return null;
    }
}
